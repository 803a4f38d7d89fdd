import pytest

from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.organisations.errors import BedNotFound, OrganisationNotFound
from yiyang.organisations.models import Bed
from yiyang.organisations.services import bed_create, bed_set_state
from yiyang.organisations.tests.support import field_codes, snapshot

pytestmark = pytest.mark.django_db


def test_institution_staff_add_a_free_bed(world):
    # given
    staff = world.users["institution0"]
    # when
    bed = bed_create(actor=staff, organisation=world.orgs["institution0"], building=" B ", room="201", number="1")
    # then
    bed.refresh_from_db()
    assert (bed.building, bed.room, bed.number, bed.state, bed.label) == ("B", "201", "1", "free", "B-201-1")
    assert Bed.objects.filter(organisation=world.orgs["institution0"]).count() == 4
    event = AuditEvent.objects.get(entity_id=str(bed.public_id))
    assert (event.action, event.entity_type, event.fields) == ("create", "bed", ["building", "number", "room"])


def test_a_care_centre_keeps_beds_too(world):
    bed = bed_create(actor=world.users["bureau"], organisation=world.orgs["centre0"], room="1", number="1")
    assert bed.organisation == world.orgs["centre0"]


@pytest.mark.parametrize("org_key", ["station0", "health0"])
def test_kinds_without_beds_are_refused(world, org_key):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        bed_create(actor=world.users["bureau"], organisation=world.orgs[org_key], room="1", number="1")
    assert field_codes(caught.value) == {("organisation", "no_beds")}
    assert snapshot() == before


def test_a_duplicate_label_is_a_field_error(world):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        bed_create(
            actor=world.users["institution0"],
            organisation=world.orgs["institution0"],
            building="A",
            room="101",
            number="2",
        )
    assert field_codes(caught.value) == {("number", "duplicate")}
    assert snapshot() == before


def test_room_and_number_are_both_required(world):
    with pytest.raises(ValidationFailed) as caught:
        bed_create(actor=world.users["institution0"], organisation=world.orgs["institution0"], room=" ", number="")
    assert field_codes(caught.value) == {("room", "required"), ("number", "required")}


def test_another_institution_is_not_found(world):
    before = snapshot()
    with pytest.raises(OrganisationNotFound):
        bed_create(actor=world.users["institution1"], organisation=world.orgs["institution0"], room="9", number="9")
    assert snapshot() == before


def test_without_beds_manage_nothing_is_written(world):
    before = snapshot()
    with pytest.raises(Forbidden):
        bed_create(actor=world.users["street0"], organisation=world.orgs["institution0"], room="9", number="9")
    assert snapshot() == before


@pytest.mark.parametrize("state", ["reserved", "unavailable"])
def test_a_free_bed_is_reserved_or_taken_out_of_service(world, beds, state):
    # when
    bed = bed_set_state(actor=world.users["institution0"], bed=beds[0][1], state=state)
    # then
    assert Bed.objects.get(pk=beds[0][1].pk).state == state == bed.state
    event = AuditEvent.objects.get(entity_id=str(bed.public_id))
    assert (event.action, event.fields) == ("change", ["state"])


def test_a_note_is_replaced_with_the_state(world, beds):
    bed_set_state(actor=world.users["institution0"], bed=beds[0][1], state="unavailable", note="维修")
    stored = Bed.objects.get(pk=beds[0][1].pk)
    assert (stored.state, stored.note) == ("unavailable", "维修")
    assert AuditEvent.objects.get(entity_id=str(stored.public_id)).fields == ["note", "state"]


def test_occupied_is_set_only_by_admission(world, beds):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        bed_set_state(actor=world.users["institution0"], bed=beds[0][1], state="occupied")
    assert field_codes(caught.value) == {("state", "occupied_via_admission")}
    assert snapshot() == before
    assert Bed.objects.get(pk=beds[0][1].pk).state == "free"


def test_an_occupied_bed_keeps_its_state(world, beds):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        bed_set_state(actor=world.users["institution0"], bed=beds[0][0], state="free")
    assert field_codes(caught.value) == {("state", "bed_occupied")}
    assert snapshot() == before
    assert Bed.objects.get(pk=beds[0][0].pk).state == "occupied"


def test_unknown_state_is_refused(world, beds):
    with pytest.raises(ValidationFailed) as caught:
        bed_set_state(actor=world.users["institution0"], bed=beds[0][1], state="broken")
    assert field_codes(caught.value) == {("state", "invalid_choice")}


def test_setting_the_current_state_writes_nothing(world, beds):
    before = snapshot()
    bed_set_state(actor=world.users["institution0"], bed=beds[0][1], state="free")
    assert snapshot() == before


def test_a_bed_of_another_institution_is_not_found(world, beds):
    with pytest.raises(BedNotFound):
        bed_set_state(actor=world.users["institution1"], bed=beds[0][1], state="reserved")
    assert Bed.objects.get(pk=beds[0][1].pk).state == "free"


def test_without_beds_manage_the_state_stays(world, beds):
    with pytest.raises(Forbidden):
        bed_set_state(actor=world.users["street0"], bed=beds[0][1], state="reserved")
    assert Bed.objects.get(pk=beds[0][1].pk).state == "free"
