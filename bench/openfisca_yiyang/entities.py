"""One entity: the person (an elder receiving the resident subsidy). No groups are needed."""

from openfisca_core.entities import build_entity

Person = build_entity(
    key="person",
    plural="persons",
    label="老年人",
    doc="An elder living in a licensed institution, with a resident-subsidy entitlement.",
    is_person=True,
)

entities = [Person]
