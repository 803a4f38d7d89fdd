from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from yiyang.accounts.access import ScopeKind, scope_for, user_perms
from yiyang.accounts.models import User
from yiyang.accounts.permissions import default_permissions
from yiyang.areas.models import Area
from yiyang.core.national_id import parse_national_id
from yiyang.core.testing import grant_permissions, set_permissions
from yiyang.demo import data
from yiyang.demo.logins import DEMO_URL, DEMO_USERNAMES
from yiyang.demo.seeding import DistrictSeeder, registered_target
from yiyang.elders.models import Elder, EmergencyContact, FamilyLink, HelperAssignment
from yiyang.elders.selectors import elders_in_reach
from yiyang.organisations.models import Admission, Bed, Organisation

pytestmark = pytest.mark.django_db

ELDERS = 500


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(Elder.objects.order_by("id").values_list("national_id", "name", "birth_date", "sex", "phone"))


def test_seed_builds_the_documented_district():
    # when
    output = seed("--elders", str(ELDERS))
    # then
    assert Area.objects.filter(level="district", code="350206", name="湖里区（演示）").count() == 1
    streets = Area.objects.filter(level="street").order_by("code")
    assert [s.name for s in streets] == ["湖里街道", "殿前街道", "禾山街道", "江头街道", "金山街道"]
    assert [s.code for s in streets] == [f"350206{n:03d}" for n in range(1, 6)]
    communities = Area.objects.filter(level="community")
    assert communities.count() == 59
    assert all(len(c.code) == 12 and c.code.startswith(c.street.code) and c.name.endswith("社区") for c in communities)
    kinds = {
        kind: Organisation.objects.filter(kind=kind).count() for kind, _ in Organisation._meta.get_field("kind").choices
    }
    assert kinds["institution"] == 9
    assert kinds["care_centre"] == 11
    assert kinds["station"] == 59
    assert kinds["complex"] == 7
    assert kinds["health_centre"] == 5
    assert kinds["hospital"] == 3
    assert kinds["clinic"] >= 1
    assert set(Organisation.objects.filter(kind="station").values_list("area__level", flat=True)) == {"community"}
    assert Elder.objects.count() == ELDERS
    assert Elder.objects.filter(household_registration="registered").count() == round(ELDERS * 59000 / 102000)
    assert "500名老年人" in output and "人/秒" in output


def test_institutions_have_60_to_400_beds_and_each_occupied_bed_one_open_stay():
    # when
    seed("--elders", str(ELDERS))
    # then
    for institution in Organisation.objects.filter(kind="institution"):
        assert 60 <= institution.beds.count() <= 400
    occupied = Bed.objects.filter(state="occupied")
    open_stays = Admission.objects.filter(discharged_on__isnull=True)
    assert occupied.count() == open_stays.count() > 0
    assert set(open_stays.values_list("bed_id", flat=True)) == set(occupied.values_list("id", flat=True))
    residents = Elder.objects.filter(pk__in=open_stays.values("elder_id"))
    assert set(residents.values_list("living_arrangement", flat=True)) == {"in_institution"}
    assert Elder.objects.filter(living_arrangement="in_institution").count() == residents.count()
    assert Bed.objects.filter(organisation__kind="care_centre").exists()
    assert Organisation.objects.filter(kind="institution", is_integrated_care=True).exists()


def test_every_national_id_is_valid_and_agrees_with_birth_date_and_sex():
    # when
    seed("--elders", str(ELDERS))
    # then
    rows = list(Elder.objects.values_list("national_id", "birth_date", "sex", "household_registration"))
    assert len({r[0] for r in rows}) == len(rows)
    for number, birth_date, sex, registration in rows:
        facts = parse_national_id(number, today=date(2026, 1, 1))
        assert facts.birth_date == birth_date
        assert facts.sex == sex
        assert (facts.area_code == "350206") == (registration == "registered")
        age = data.REFERENCE_DATE.year - birth_date.year
        assert 60 <= age <= 105


def test_elders_are_placed_in_their_community_with_contacts_and_station():
    # when
    seed("--elders", str(ELDERS))
    # then
    for elder in Elder.objects.select_related("community", "service_station", "home", "medical_institution"):
        assert elder.street_id == elder.community.street_id
        assert elder.service_station.area_id == elder.community_id
        assert elder.service_station.kind == "station"
        if elder.home is not None:
            assert elder.home.community_id == elder.community_id
            assert 24.4 < float(elder.home.latitude) < 24.6 and 118.0 < float(elder.home.longitude) < 118.3
        if elder.medical_institution is not None:
            assert elder.medical_institution.kind == "health_centre"
            assert elder.medical_institution.street_id == elder.street_id
        assert 1 <= elder.emergency_contacts.count() <= 2
        assert elder.phone == "" or (len(elder.phone) == 11 and elder.phone[0] == "1" and elder.phone[1] in "3456789")
    alone = Elder.objects.filter(living_arrangement="alone", status="active")
    assert alone.exists()
    assert not alone.exclude(helper_assignments__until__isnull=True).exists()


def test_same_seed_gives_the_same_elders_in_a_fresh_database():
    # given
    with transaction.atomic():
        seed("--elders", str(ELDERS), "--seed", "7")
        first = snapshot()
        transaction.set_rollback(True)  # a fresh database for the second run
    assert not Elder.objects.exists()
    # when
    seed("--elders", str(ELDERS), "--seed", "7")
    # then
    second = snapshot()
    assert first[:20] == second[:20]
    assert first == second


def test_another_seed_gives_other_elders():
    with transaction.atomic():
        seed("--elders", "50", "--seed", "1")
        first = snapshot()
        transaction.set_rollback(True)
    seed("--elders", "50", "--seed", "2")
    assert snapshot() != first


def test_generating_in_a_child_process_gives_the_same_rows():
    # given
    with transaction.atomic():
        DistrictSeeder(elders=300, seed=5, batch_size=100, parallel=False).run()
        inline = snapshot()
        contacts = list(EmergencyContact.objects.order_by("id").values_list("elder__national_id", "name", "phone"))
        transaction.set_rollback(True)
    # when
    DistrictSeeder(elders=300, seed=5, batch_size=100, parallel=True).run()
    # then
    assert snapshot() == inline
    assert list(EmergencyContact.objects.order_by("id").values_list("elder__national_id", "name", "phone")) == contacts


def test_if_empty_does_nothing_when_the_district_exists():
    # given
    seed("--elders", "100")
    before = (Elder.objects.count(), Organisation.objects.count(), User.objects.count())
    # when
    output = seed("--elders", "100", "--if-empty")
    # then
    assert "已存在" in output
    assert (Elder.objects.count(), Organisation.objects.count(), User.objects.count()) == before
    with pytest.raises(CommandError, match="已存在"):
        seed("--elders", "100")


def test_if_empty_brings_demo_accounts_back_to_their_role_permissions():
    # given: a demo account with permissions withdrawn and granted while demonstrating
    seed("--elders", "100")
    set_permissions(User.objects.get(username="bureau"), "elders.view")
    grant_permissions(User.objects.get(username="helper"), "audit.view")
    # when
    output = seed("--elders", "100", "--if-empty")
    # then
    for username in ("bureau", "helper"):
        user = User.objects.get(username=username)
        assert (user.permissions_granted, user.permissions_withdrawn) == ([], []), username
        assert user_perms(user) == frozenset(default_permissions(user.role)), username
    assert "2 个演示账号的权限已更新" in output


def test_the_load_leaves_the_tables_indexes_as_they_were():
    # given
    def schema() -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'elders_%' ORDER BY name"
            )
            return cursor.fetchall()

    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite catalogue")
    before = schema()
    # when
    seed("--elders", "200")
    # then
    assert schema() == before


EXPECTED_SCOPES = {
    "bureau": ScopeKind.DISTRICT,
    "health": ScopeKind.DISTRICT,
    "street_huli": ScopeKind.STREET,
    "centre_huli": ScopeKind.STREET,
    "station_haitian": ScopeKind.COMMUNITY,
    "institution_kangyi": ScopeKind.ORGANISATION,
    "doctor": ScopeKind.ORGANISATION,
    "assessor_huli": ScopeKind.STREET,
    "reviewer": ScopeKind.DISTRICT,
    "helper": ScopeKind.HELPER,
    "family": ScopeKind.FAMILY,
    "admin": ScopeKind.ALL,
}


def test_every_demo_user_logs_in_with_the_demo_password_and_has_its_scope():
    # given
    seed("--elders", str(ELDERS))
    huli = Area.objects.get(name="湖里街道")
    # then
    assert set(DEMO_USERNAMES) == set(EXPECTED_SCOPES)
    for username, kind in EXPECTED_SCOPES.items():
        assert Client().login(username=username, password=data.DEMO_PASSWORD), username
        user = User.objects.get(username=username)
        assert scope_for(user).kind is kind, username
        if not user.is_superuser:
            assert (user.permissions_granted, user.permissions_withdrawn) == ([], []), username
            assert sorted(user_perms(user)) == default_permissions(user.role), username
    users = {u.username: u for u in User.objects.filter(username__in=EXPECTED_SCOPES)}
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["bureau"].role == "bureau_officer" and users["bureau"].area.level == "district"
    assert users["health"].role == "health_officer"
    assert elders_in_reach(user=users["bureau"]).count() == ELDERS
    assert users["street_huli"].area == huli
    assert elders_in_reach(user=users["street_huli"]).count() == Elder.objects.filter(street=huli).count() > 0
    assert users["centre_huli"].organisation.kind == "care_centre" and users["centre_huli"].area == huli
    station = users["station_haitian"]
    assert station.area.name == "海天社区" and station.organisation.kind == "station"
    assert station.organisation.area == station.area
    institution = users["institution_kangyi"].organisation
    assert institution.kind == "institution" and institution.name == "康颐护养院"
    residents = Admission.objects.filter(organisation=institution, discharged_on__isnull=True).count()
    assert elders_in_reach(user=users["institution_kangyi"]).count() == residents
    doctor_org = users["doctor"].organisation
    assert doctor_org.kind == "health_centre" and doctor_org.street == huli
    assert (
        elders_in_reach(user=users["doctor"]).count()
        == Elder.objects.filter(medical_institution=doctor_org).count()
        > 0
    )
    helper_elders = elders_in_reach(user=users["helper"])
    assert helper_elders.count() == 10
    assert set(helper_elders.values_list("living_arrangement", flat=True)) == {"alone"}
    assert HelperAssignment.objects.filter(helper=users["helper"], until__isnull=True).count() == 10
    family_elder = elders_in_reach(user=users["family"]).get()
    link = FamilyLink.objects.get(user=users["family"])
    assert link.elder == family_elder
    assert family_elder.emergency_contacts.filter(name=users["family"].full_name).exists()


def test_demo_logins_lists_every_account_with_role_scope_and_url():
    # given
    seed("--elders", "200")
    out = StringIO()
    # when
    call_command("demo_logins", stdout=out)
    # then
    text = out.getvalue()
    assert DEMO_URL in text and data.DEMO_PASSWORD in text
    for username in DEMO_USERNAMES:
        assert username in text
    assert "民政局工作人员" in text and "助老员" in text and "湖里街道" in text


def test_demo_logins_before_seeding_says_to_seed():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed" in out.getvalue()


def test_registered_share_scales_with_the_number_of_elders():
    assert registered_target(102_000) == 59_000
    assert registered_target(5_000) == round(5_000 * 59_000 / 102_000)
    assert registered_target(1_000_000) == 578_431


def test_the_bulk_load_stores_ciphertexts_and_the_same_tokens_the_model_computes():
    from yiyang.core.fields import blind_index_fields

    DistrictSeeder(elders=200, seed=7, batch_size=100, parallel=False).run()
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id, phone FROM elders_elder ORDER BY id LIMIT 20")
        stored = cursor.fetchall()
    elders = list(Elder.objects.order_by("id")[:20])
    for (raw_id, raw_phone), elder in zip(stored, elders, strict=True):
        assert elder.national_id not in raw_id
        assert not elder.phone or elder.phone not in raw_phone
        for index in blind_index_fields(Elder):
            assert getattr(elder, index.attname) == index.token_for(getattr(elder, index.source)), index.name
    with_phone = next(e for e in elders if e.phone)
    assert Elder.objects.filter(national_id=with_phone.national_id).get() == with_phone
    assert Elder.objects.filter(phone=with_phone.phone).filter(pk=with_phone.pk).exists()


def test_each_demo_role_gets_its_home_cards_with_work_where_realistic():
    """The seeded demo gives the street's device manager a pending-device queue and every demo account
    the cards of /work/notes/home-cards.md (the helper: their elders, listed)."""
    seed("--elders", "200")
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}

    def home(username: str) -> str:
        client = Client()
        client.force_login(users[username])
        return client.get("/").content.decode()

    street = home("street_huli")
    assert 'data-testid="card-devices-attention"' in street and 'data-testid="devices-pending">3<' in street
    helper = home("helper")
    assert 'data-testid="card-elders-mine"' in helper and 'data-testid="my-elder"' in helper
    assert 'data-testid="card-organisations-beds"' not in helper
    assert 'data-testid="card-organisations-beds"' not in home("family")
    assert 'data-testid="beds-occupied"' in home(f"institution_{data.INSTITUTIONS[0][1]}")


def test_elders_are_registered_before_their_first_stay_assignment_and_assessment() -> None:
    """The timeline's 登记建档 is the elder's created_at: the seed must not make it the newest event."""
    from django.db.models import Min

    from yiyang.assessments.models import Assessment

    # given
    seed("--elders", "100")
    call_command("seed_assessments", "--awaiting-review", "0", stdout=StringIO())
    # then
    first: dict[int, date] = {}
    for model, field in ((Admission, "admitted_on"), (HelperAssignment, "since"), (Assessment, "assessed_on")):
        for elder_id, day in model.objects.values("elder_id").annotate(day=Min(field)).values_list("elder_id", "day"):
            first[elder_id] = min(day, first.get(elder_id, day))
    assert Admission.objects.exists() and HelperAssignment.objects.exists() and Assessment.objects.exists()
    registered = dict(Elder.objects.values_list("id", "created_at"))
    later = [pk for pk, day in first.items() if timezone.localtime(registered[pk]).date() >= day]
    assert later == []
    # distinct, reproducible times in the past, not the moment of seeding
    assert len(set(registered.values())) > 50
    assert max(registered.values()) < timezone.now() - timedelta(days=365 * 7)
