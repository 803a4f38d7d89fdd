from datetime import date, timedelta

import pytest
from django.utils import timezone

from yiyang.areas.models import Area
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.core.testing import national_id
from yiyang.elders.models import Elder
from yiyang.organisations.errors import AdmissionNotFound, BedNotFound
from yiyang.organisations.models import Admission, Bed
from yiyang.organisations.services import admission_admit, admission_discharge
from yiyang.organisations.services import beds as services
from yiyang.organisations.tests.support import field_codes, snapshot

pytestmark = pytest.mark.django_db


def refused_admit(**kwargs) -> ValidationFailed:
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        admission_admit(**kwargs)
    assert snapshot() == before
    return caught.value


def test_an_elder_of_the_district_is_admitted_by_national_id(world, beds):
    # given: institution staff cannot see elder0 (not their resident), only its national ID is known
    staff, elder = world.users["institution0"], world.elders["elder0"]
    # when
    admission = admission_admit(
        actor=staff, bed=beds[0][1], elder_national_id=elder.national_id.lower(), admitted_on=date(2025, 3, 1)
    )
    # then
    admission.refresh_from_db()
    assert (admission.elder, admission.organisation, admission.bed) == (elder, world.orgs["institution0"], beds[0][1])
    assert (admission.admitted_on, admission.discharged_on) == (date(2025, 3, 1), None)
    assert Bed.objects.get(pk=beds[0][1].pk).state == "occupied"
    event = AuditEvent.objects.get(entity_id=str(admission.public_id))
    assert (event.action, event.entity_type, event.fields) == ("create", "admission", ["admitted_on", "bed", "elder"])
    assert elder.national_id not in event.summary
    # the elder's own record is left alone
    assert Elder.objects.get(pk=elder.pk).living_arrangement == elder.living_arrangement


def test_an_elder_of_another_street_in_the_district_may_be_admitted_by_public_id(world, beds):
    admission = admission_admit(
        actor=world.users["institution0"], bed=beds[0][2], elder_public_id=world.elders["elder1"].public_id
    )
    assert admission.elder == world.elders["elder1"]
    assert admission.admitted_on == timezone.localdate()


def test_a_reserved_bed_may_be_admitted_into(world, beds):
    Bed.objects.filter(pk=beds[0][1].pk).update(state="reserved")
    admission = admission_admit(
        actor=world.users["institution0"], bed=beds[0][1], elder_national_id=world.elders["elder0"].national_id
    )
    assert Bed.objects.get(pk=admission.bed_id).state == "occupied"


@pytest.mark.parametrize("state", ["occupied", "unavailable"])
def test_a_bed_that_is_not_free_or_reserved_is_refused(world, beds, state):
    Bed.objects.filter(pk=beds[0][1].pk).update(state=state)
    error = refused_admit(
        actor=world.users["institution0"], bed=beds[0][1], elder_national_id=world.elders["elder0"].national_id
    )
    assert field_codes(error) == {("bed", "bed_not_available")}


def test_an_elder_already_admitted_is_refused(world, beds):
    error = refused_admit(
        actor=world.users["institution0"], bed=beds[0][1], elder_national_id=world.elders["resident1"].national_id
    )
    assert field_codes(error) == {("elder_national_id", "already_admitted")}


def test_an_elder_of_another_district_is_not_found(world, beds):
    other = Area.objects.create(code="350203", name="乙区", level="district")
    street = Area.objects.create(code="350203001", name="乙街道", level="street", parent=other, district=other)
    community = Area.objects.create(
        code="350203001001", name="乙社区", level="community", parent=street, district=other, street=street
    )
    stranger = Elder.objects.create(
        name="外区老人", national_id=national_id(77, area="350203"), birth_date=date(1950, 3, 15), sex="M",
        community=community, street=street, district=other,
    )  # fmt: skip
    by_id = refused_admit(actor=world.users["institution0"], bed=beds[0][1], elder_national_id=stranger.national_id)
    by_public_id = refused_admit(actor=world.users["institution0"], bed=beds[0][1], elder_public_id=stranger.public_id)
    assert field_codes(by_id) == {("elder_national_id", "not_found")}
    assert field_codes(by_public_id) == {("elder", "not_found")}


def test_an_elder_no_longer_active_is_refused(world, beds):
    Elder.objects.filter(pk=world.elders["elder0"].pk).update(status="deceased")
    error = refused_admit(
        actor=world.users["institution0"], bed=beds[0][1], elder_public_id=world.elders["elder0"].public_id
    )
    assert field_codes(error) == {("elder", "elder_inactive")}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, {("elder_national_id", "required")}),
        ({"elder_national_id": "350206195003150000"}, {("elder_national_id", "national_id_invalid")}),
        ({"elder_national_id": national_id(99)}, {("elder_national_id", "not_found")}),
    ],
)
def test_the_elder_must_be_named_correctly(world, beds, kwargs, expected):
    error = refused_admit(actor=world.users["institution0"], bed=beds[0][1], **kwargs)
    assert field_codes(error) == expected


def test_naming_the_elder_twice_is_ambiguous(world, beds):
    elder = world.elders["elder0"]
    error = refused_admit(
        actor=world.users["institution0"],
        bed=beds[0][1],
        elder_national_id=elder.national_id,
        elder_public_id=elder.public_id,
    )
    assert field_codes(error) == {("elder_national_id", "ambiguous")}


def test_every_problem_is_reported_at_once(world, beds):
    error = refused_admit(
        actor=world.users["institution0"],
        bed=beds[0][0],
        elder_national_id=national_id(99),
        admitted_on=timezone.localdate() + timedelta(days=1),
        note="x" * 301,
    )
    assert field_codes(error) == {
        ("bed", "bed_not_available"),
        ("elder_national_id", "not_found"),
        ("admitted_on", "in_future"),
        ("note", "max_length"),
    }


def test_a_closed_organisation_admits_nobody(world, beds):
    world.orgs["institution0"].__class__.objects.filter(pk=world.orgs["institution0"].pk).update(status="suspended")
    error = refused_admit(
        actor=world.users["institution0"], bed=beds[0][1], elder_national_id=world.elders["elder0"].national_id
    )
    assert field_codes(error) == {("bed", "organisation_not_open")}


def test_the_database_settles_a_race_for_the_same_elder(world, beds, monkeypatch):
    # given: the check passes, as it would for two requests arriving together
    elder = world.elders["resident0"]
    monkeypatch.setattr(services, "_elder_for_admission", lambda **kwargs: elder)
    # when / then
    error = refused_admit(actor=world.users["institution0"], bed=beds[0][1], elder_national_id=elder.national_id)
    assert field_codes(error) == {("elder_national_id", "already_admitted")}


def test_the_database_settles_a_race_for_the_same_bed(world, beds):
    # given: the occupied bed reads free, as it would while a concurrent admission commits
    Bed.objects.filter(pk=beds[0][0].pk).update(state="free")
    before = snapshot()
    # when
    with pytest.raises(ValidationFailed) as caught:
        admission_admit(
            actor=world.users["institution0"], bed=beds[0][0], elder_national_id=world.elders["elder0"].national_id
        )
    # then
    assert field_codes(caught.value) == {("bed", "bed_not_available")}
    assert snapshot() == before


def test_a_bed_of_another_institution_is_not_found(world, beds):
    before = snapshot()
    with pytest.raises(BedNotFound):
        admission_admit(
            actor=world.users["institution1"], bed=beds[0][1], elder_national_id=world.elders["elder0"].national_id
        )
    assert snapshot() == before


def test_admitting_needs_beds_manage(world, beds):
    before = snapshot()
    with pytest.raises(Forbidden):
        admission_admit(
            actor=world.users["street0"], bed=beds[0][1], elder_national_id=world.elders["elder0"].national_id
        )
    assert snapshot() == before


def open_stay(world, s: int = 0) -> Admission:
    return Admission.objects.get(elder=world.elders[f"resident{s}"], discharged_on__isnull=True)


def test_discharge_closes_the_stay_and_frees_the_bed(world, beds):
    # given
    stay = open_stay(world)
    # when
    admission_discharge(
        actor=world.users["institution0"], admission=stay, reason="home", discharged_on=date(2025, 6, 1)
    )
    # then
    stay.refresh_from_db()
    assert (stay.discharged_on, stay.discharge_reason) == (date(2025, 6, 1), "home")
    assert Bed.objects.get(pk=beds[0][0].pk).state == "free"
    event = AuditEvent.objects.get(entity_id=str(stay.public_id))
    assert (event.action, event.fields) == ("change", ["discharge_reason", "discharged_on"])


def test_after_discharge_the_elder_and_the_bed_may_be_admitted_again(world, beds):
    stay = open_stay(world)
    admission_discharge(actor=world.users["institution0"], admission=stay, reason="hospital")
    again = admission_admit(actor=world.users["institution0"], bed=beds[0][0], elder_public_id=stay.elder.public_id)
    assert Admission.objects.filter(elder=stay.elder).count() == 2
    assert again.discharged_on is None


def refused_discharge(**kwargs) -> ValidationFailed:
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        admission_discharge(**kwargs)
    assert snapshot() == before
    return caught.value


def test_a_stay_is_discharged_once(world):
    stay = open_stay(world)
    admission_discharge(
        actor=world.users["institution0"], admission=stay, reason="home", discharged_on=date(2025, 2, 1)
    )
    error = refused_discharge(actor=world.users["institution0"], admission=stay, reason="home")
    assert field_codes(error) == {("admission", "already_discharged")}
    stay.refresh_from_db()
    assert stay.discharged_on == date(2025, 2, 1)


@pytest.mark.parametrize(
    ("reason", "on", "expected"),
    [
        ("", date(2025, 2, 1), {("reason", "required")}),
        ("escaped", date(2025, 2, 1), {("reason", "invalid_choice")}),
        ("home", date(2024, 12, 31), {("discharged_on", "before_admission")}),
        ("home", None, set()),
    ],
)
def test_discharge_rules(world, reason, on, expected):
    stay = open_stay(world)
    if not expected:
        admission_discharge(actor=world.users["institution0"], admission=stay, reason=reason, discharged_on=on)
        stay.refresh_from_db()
        assert stay.discharged_on == timezone.localdate()
        return
    assert (
        field_codes(
            refused_discharge(actor=world.users["institution0"], admission=stay, reason=reason, discharged_on=on)
        )
        == expected
    )


def test_discharge_in_the_future_is_refused(world):
    error = refused_discharge(
        actor=world.users["institution0"],
        admission=open_stay(world),
        reason="",
        discharged_on=timezone.localdate() + timedelta(days=2),
    )
    assert field_codes(error) == {("reason", "required"), ("discharged_on", "in_future")}


def test_another_institutions_stay_is_not_found(world):
    before = snapshot()
    with pytest.raises(AdmissionNotFound):
        admission_discharge(actor=world.users["institution1"], admission=open_stay(world), reason="home")
    assert snapshot() == before


def test_discharge_needs_beds_manage(world):
    before = snapshot()
    with pytest.raises(Forbidden):
        admission_discharge(actor=world.users["street0"], admission=open_stay(world), reason="home")
    assert snapshot() == before
