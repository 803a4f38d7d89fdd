import pytest

from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.organisations.errors import OrganisationNotFound
from yiyang.organisations.models import Organisation
from yiyang.organisations.services import organisation_update
from yiyang.organisations.tests.support import field_codes, grant, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world):
    return grant(world.users["street0"], "organisations.change")


def refused(actor, organisation, changes) -> ValidationFailed:
    before = snapshot()
    stored = Organisation.objects.filter(pk=organisation.pk).values().get()
    with pytest.raises(ValidationFailed) as caught:
        organisation_update(actor=actor, organisation=organisation, changes=changes)
    assert snapshot() == before
    assert Organisation.objects.filter(pk=organisation.pk).values().get() == stored
    return caught.value


def test_changed_fields_are_saved_and_only_their_names_audited(world, officer):
    # given
    org = world.orgs["station0"]
    # when
    organisation_update(
        actor=officer, organisation=org, changes={"contact_name": "李站长", "contact_phone": "13912345678"}
    )
    # then
    org.refresh_from_db()
    assert (org.contact_name, org.contact_phone) == ("李站长", "13912345678")
    event = AuditEvent.objects.get(entity_id=str(org.public_id))
    assert (event.action, event.fields) == ("change", ["contact_name", "contact_phone"])
    assert "13912345678" not in event.summary


def test_moving_to_another_community_rederives_the_place(world, officer):
    org = world.orgs["station0"]
    organisation_update(actor=officer, organisation=org, changes={"area": world.communities[0][1]})
    org.refresh_from_db()
    assert (org.area, org.street) == (world.communities[0][1], world.streets[0])
    assert AuditEvent.objects.get(entity_id=str(org.public_id)).fields == ["area"]


def test_a_change_to_the_same_values_writes_nothing(world, officer):
    before = snapshot()
    organisation_update(actor=officer, organisation=world.orgs["station0"], changes={"name": "station0机构"})
    assert snapshot() == before


def test_unknown_fields_are_refused(world, officer):
    error = refused(officer, world.orgs["station0"], {"street": world.streets[1], "colour": "red"})
    assert field_codes(error) == {("street", "unknown_field"), ("colour", "unknown_field")}


def test_moving_to_another_street_is_not_found(world, officer):
    error = refused(officer, world.orgs["station0"], {"area": world.communities[1][1]})
    assert field_codes(error) == {("area", "not_found")}


def test_an_organisation_with_beds_keeps_a_bed_keeping_kind(world, officer):
    error = refused(officer, world.orgs["institution0"], {"kind": "station"})
    assert field_codes(error) == {("kind", "has_beds")}


def test_an_organisation_with_residents_cannot_close(world, officer):
    error = refused(officer, world.orgs["institution0"], {"status": "closed"})
    assert field_codes(error) == {("status", "has_open_admissions")}


def test_changing_kind_rechecks_the_kind_rules(world, officer):
    error = refused(officer, world.orgs["station0"], {"kind": "hospital"})
    assert field_codes(error) == {("hospital_grade", "required"), ("licence_number", "required")}


def test_another_streets_organisation_is_not_found(world):
    outsider = grant(world.users["street1"], "organisations.change")
    before = snapshot()
    with pytest.raises(OrganisationNotFound):
        organisation_update(actor=outsider, organisation=world.orgs["station0"], changes={"contact_name": "X"})
    assert snapshot() == before


def test_without_the_right_nothing_is_written(world):
    before = snapshot()
    with pytest.raises(Forbidden):
        organisation_update(
            actor=world.users["street0_readonly"], organisation=world.orgs["station0"], changes={"contact_name": "X"}
        )
    assert snapshot() == before
