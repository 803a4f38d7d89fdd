from decimal import Decimal

import pytest

from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.organisations.credit_code import make_credit_code
from yiyang.organisations.models import Organisation
from yiyang.organisations.services import OrganisationInput, organisation_create
from yiyang.organisations.tests.support import field_codes, grant, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world):
    """A street-0 official who has been granted the right to register organisations."""
    return grant(world.users["street0"], "organisations.change")


def station(world, **overrides) -> OrganisationInput:
    data = OrganisationInput(kind="station", name="新建养老服务站", area=world.communities[0][1])
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def refused(actor, data) -> ValidationFailed:
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        organisation_create(actor=actor, data=data)
    assert snapshot() == before
    return caught.value


def test_station_is_registered_in_its_community_with_street_and_district_derived(world, officer):
    # given
    data = station(
        world,
        contact_name="王主任",
        contact_phone=" 0592-5551234 ",
        credit_code=make_credit_code("5235020" + "0MJ1234567"),
    )
    # when
    org = organisation_create(actor=officer, data=data)
    # then
    org.refresh_from_db()
    assert (org.kind, org.name, org.area, org.street, org.district) == (
        "station", "新建养老服务站", world.communities[0][1], world.streets[0], world.district,
    )  # fmt: skip
    assert org.contact_phone == "0592-5551234"
    event = AuditEvent.objects.get(entity_id=str(org.public_id))
    assert (event.action, event.entity_type, event.actor) == ("create", "organisation", officer)
    assert event.fields == ["area", "contact_name", "contact_phone", "credit_code", "kind", "name", "status"]
    assert event.district_id == world.district.pk


def test_care_centre_sits_at_a_street(world, officer):
    org = organisation_create(
        actor=officer, data=OrganisationInput(kind="care_centre", name="新照料中心", area=world.streets[0])
    )
    assert (org.area, org.street, org.district) == (world.streets[0], world.streets[0], world.district)


@pytest.mark.parametrize(
    ("kind", "area_key", "extra"),
    [
        ("care_centre", "community", {}),
        ("station", "street", {}),
        ("institution", "street", {"filing_number": "F1"}),
        ("hospital", "street", {"hospital_grade": "2A", "licence_number": "PDY1"}),
    ],
)
def test_area_level_must_suit_the_kind(world, officer, kind, area_key, extra):
    area = world.communities[0][1] if area_key == "community" else world.streets[0]
    error = refused(officer, station(world, kind=kind, area=area, **extra))
    assert field_codes(error) == {("area", "invalid_level")}


def test_hospital_needs_a_grade_and_a_licence(world, officer):
    error = refused(officer, station(world, kind="hospital"))
    assert field_codes(error) == {("hospital_grade", "required"), ("licence_number", "required")}


def test_hospital_grade_must_be_a_known_grade(world, officer):
    error = refused(officer, station(world, kind="hospital", hospital_grade="4A", licence_number="PDY1"))
    assert field_codes(error) == {("hospital_grade", "invalid_choice")}


def test_hospital_with_grade_and_licence_is_registered(world, officer):
    org = organisation_create(
        actor=officer, data=station(world, kind="hospital", name="区医院", hospital_grade="2A", licence_number="PDY1")
    )
    assert (org.kind, org.hospital_grade) == ("hospital", "2A")


@pytest.mark.parametrize("kind", ["station", "institution", "health_centre", "clinic", "complex"])
def test_only_hospitals_carry_a_hospital_grade(world, officer, kind):
    error = refused(officer, station(world, kind=kind, hospital_grade="2A", licence_number="L", filing_number="F"))
    assert field_codes(error) == {("hospital_grade", "not_applicable")}


@pytest.mark.parametrize("kind", ["institution", "clinic"])
def test_institution_and_clinic_need_a_licence_or_a_filing_number(world, officer, kind):
    error = refused(officer, station(world, kind=kind))
    assert field_codes(error) == {("filing_number", "required")}
    assert organisation_create(actor=officer, data=station(world, kind=kind, filing_number="备2025-01")).pk
    assert organisation_create(actor=officer, data=station(world, kind=kind, name="另一家", licence_number="L9")).pk


def test_health_centre_needs_a_licence(world, officer):
    error = refused(officer, station(world, kind="health_centre", filing_number="F1"))
    assert field_codes(error) == {("licence_number", "required")}


def test_credit_code_check_character_is_verified(world, officer):
    code = make_credit_code("52350200MJ1234567")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    error = refused(officer, station(world, credit_code=wrong))
    assert field_codes(error) == {("credit_code", "invalid")}
    assert [e.reason for e in error.errors] == [f"统一社会信用代码校验码错误：末位应为{code[17]}，实为{wrong[17]}"]


def test_coordinates_come_as_a_pair_inside_china(world, officer):
    error = refused(officer, station(world, latitude=Decimal("24.48")))
    assert field_codes(error) == {("longitude", "required")}
    swapped = refused(officer, station(world, latitude=Decimal("118.08"), longitude=Decimal("24.48")))
    assert field_codes(swapped) == {("latitude", "out_of_range"), ("longitude", "out_of_range")}


def test_name_is_unique_per_kind_in_the_district(world, officer):
    error = refused(officer, station(world, name="station1机构"))
    assert field_codes(error) == {("name", "duplicate")}
    # the same name is fine for another kind
    assert organisation_create(actor=officer, data=station(world, name="station1机构", kind="complex")).pk


def test_every_bad_field_is_reported_at_once(world, officer):
    data = OrganisationInput(
        kind="hospital", name="  ", area=world.streets[0], credit_code="123", contact_phone="12345",
        ownership="state", status="gone", latitude=Decimal("1"), longitude=Decimal("24"),
    )  # fmt: skip
    error = refused(officer, data)
    assert field_codes(error) == {
        ("name", "required"),
        ("area", "invalid_level"),
        ("hospital_grade", "required"),
        ("licence_number", "required"),
        ("ownership", "invalid_choice"),
        ("status", "invalid_choice"),
        ("credit_code", "invalid"),
        ("contact_phone", "invalid"),
        ("latitude", "out_of_range"),
        ("longitude", "out_of_range"),
    }


def test_unknown_kind_is_refused(world, officer):
    assert field_codes(refused(officer, station(world, kind="spa"))) == {("kind", "invalid_choice")}


def test_area_of_another_street_is_not_found_and_nothing_else_is_said_about_it(world, officer):
    error = refused(officer, station(world, area=world.communities[1][0]))
    assert field_codes(error) == {("area", "not_found")}


def test_missing_area_is_required(world, officer):
    assert field_codes(refused(officer, station(world, area=None))) == {("area", "required")}


def test_without_the_right_nothing_is_written(world):
    before = snapshot()
    with pytest.raises(Forbidden):
        organisation_create(actor=world.users["street0_readonly"], data=station(world))
    assert snapshot() == before
    assert not Organisation.objects.filter(name="新建养老服务站").exists()
