"""Every list that shows personal data records who saw which records: one VIEW event per request
naming the public ids shown, in display order; detail reads of homes, organisations, devices and
alerts record a VIEW event naming the record."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.core.testing import World


def listed_ids(event: AuditEvent) -> list[str]:
    """The ids an event says were shown: the `record_ids` column once the audit app has it, else the
    stand-in's summary (`查看列表（n条）：id,id…`, cut at the summary's length)."""
    stored = getattr(event, "record_ids", None)
    if stored is not None:
        return [str(i) for i in stored]
    _, _, tail = event.summary.partition("：")
    return [i for i in tail.split(",") if len(i) == 36]


def assert_names(event: AuditEvent, ids: list[str]) -> None:
    """The event names exactly `ids`, in order (with the stand-in: the ids that fit, and the count)."""
    if getattr(event, "record_ids", None) is not None:
        assert listed_ids(event) == ids
    else:
        named = listed_ids(event)
        assert named == ids[: len(named)] and (named or not ids)
        assert f"（{len(ids)}条）" in event.summary


def view_events_of(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before, action="view").order_by("id"))


def newest_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _home(world: World) -> Any:
    from yiyang.elders.models import Home

    home = Home.objects.create(
        address="幸福路1号", community=world.communities[0][0], street=world.streets[0], district=world.district
    )
    world.elders["elder0"].home = home
    world.elders["elder0"].save(update_fields=["home"])
    return home


API_LISTS = [
    ("street0", "/api/v1/elders/", "elder"),
    ("street0", "/api/v1/homes/", "home"),
    ("street0", "/api/v1/organisations/", "organisation"),
    ("street0", "/api/v1/admissions/", "admission"),
    ("street0", "/api/v1/devices/", "device"),
    ("street0", "/api/v1/alerts/", "alert"),
    ("street0", "/api/v1/assessments/", "assessment"),
    ("street0", "/api/v1/assessments/due/", "assessment"),
    ("bureau", "/api/v1/users/", "account"),
    ("street0", "/api/v1/benefits/applications/", "benefit_application"),
    ("street0", "/api/v1/benefits/entitlements/", "benefit_entitlement"),
]


@pytest.mark.parametrize(("username", "url", "entity"), API_LISTS, ids=[u for _, u, _ in API_LISTS])
def test_an_api_list_records_one_event_naming_the_ids_shown(world, username, url, entity):
    _home(world)
    client = APIClient()
    client.force_authenticate(world.users[username])
    before = newest_id()
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    shown = [row["id"] for row in response.json()["results"]]
    events = view_events_of(before)
    assert len(events) == 1, [(e.entity_type, e.summary) for e in events]
    assert events[0].entity_type == entity
    assert events[0].actor == world.users[username]
    assert_names(events[0], shown)
    assert events[0].district_id == world.district.pk


def _elder_ids(world: World) -> list[str]:
    from yiyang.elders.selectors import elder_list

    return [str(e.public_id) for e in elder_list(user=world.users["street0"])[:20]]


def _org_ids(world: World) -> list[str]:
    from yiyang.organisations.selectors import OrganisationFilters, organisation_list

    return [str(o.public_id) for o in organisation_list(user=world.users["street0"], filters=OrganisationFilters())]


def _staff_ids(world: World) -> list[str]:
    from yiyang.accounts.selectors import staff_in_reach

    return [str(u.public_id) for u in staff_in_reach(user=world.users["bureau"]).order_by("username")[:50]]


PAGE_LISTS: list[tuple[str, str, str, Callable[[World], list[str]] | None]] = [
    ("street0", "/elders/", "elder", _elder_ids),
    ("street0", "/organisations/", "organisation", _org_ids),
    ("street0", "/devices/", "device", None),
    ("street0", "/alerts/", "alert", None),
    ("street0", "/assessments/", "assessment", None),
    ("street0", "/assessments/due/", "assessment", None),
    ("bureau", "/staff/", "account", _staff_ids),
    ("street0", "/benefits/applications/", "benefit_application", None),
    ("street0", "/benefits/entitlements/", "benefit_entitlement", None),
]


@pytest.mark.parametrize(("username", "url", "entity", "expected"), PAGE_LISTS, ids=[p[1] for p in PAGE_LISTS])
def test_a_page_list_records_one_event_naming_the_ids_shown(world, username, url, entity, expected):
    client = Client()
    client.force_login(world.users[username])
    before = newest_id()
    response = client.get(url)
    assert response.status_code == 200
    events = view_events_of(before)
    assert len(events) == 1, [(e.entity_type, e.summary) for e in events]
    assert events[0].entity_type == entity
    assert events[0].actor == world.users[username]
    if expected is not None:
        ids = expected(world)
        assert ids, "the world has rows for this list"
        assert_names(events[0], ids)
        for public_id in ids:
            assert public_id in response.content.decode() or entity == "account"


def test_the_elder_page_list_names_exactly_the_rows_of_the_page_asked_for(world):
    client = Client()
    client.force_login(world.users["bureau"])
    before = newest_id()
    client.get("/elders/?q=elder1")
    [event] = view_events_of(before)
    assert_names(event, [str(world.elders["elder1"].public_id)])


def _detail_cases(world: World) -> list[tuple[str, str, str, str]]:
    from yiyang.alerts.models import Alert
    from yiyang.alerts.services import alerts_apply
    from yiyang.alerts.tests.support import raise_cmd
    from yiyang.devices.tests.conftest import make_device

    home = _home(world)
    device = make_device(world, 0, "watch", "mqtt_json", "dev-a")
    alerts_apply([raise_cmd(world.elders["elder0"])])
    alert = Alert.objects.get(elder=world.elders["elder0"])
    org = world.orgs["institution0"]
    return [
        (f"/api/v1/homes/{home.public_id}/", "home", str(home.public_id), "api"),
        (f"/api/v1/organisations/{org.public_id}/", "organisation", str(org.public_id), "api"),
        (f"/organisations/{org.public_id}/", "organisation", str(org.public_id), "page"),
        (f"/api/v1/devices/{device.public_id}/", "device", str(device.public_id), "api"),
        (f"/devices/{device.public_id}/", "device", str(device.public_id), "page"),
        (f"/api/v1/alerts/{alert.public_id}/", "alert", str(alert.public_id), "api"),
        (f"/api/v1/alerts/{alert.public_id}/timeline/", "alert", str(alert.public_id), "api"),
        (f"/alerts/{alert.public_id}/", "alert", str(alert.public_id), "page"),
    ]


def test_detail_reads_record_a_view_of_the_record(world):
    from yiyang.core.testing import grant_permissions

    account = grant_permissions(world.users["street0"], "devices.view", "alerts.view")
    for url, entity, public_id, kind in _detail_cases(world):
        client: Any
        if kind == "api":
            client = APIClient()
            client.force_authenticate(account)
        else:
            client = Client()
            client.force_login(account)
        before = newest_id()
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        events = [e for e in view_events_of(before) if e.entity_type == entity]
        assert [e.entity_id for e in events] == [public_id], url
        assert events[0].district_id == world.district.pk


def test_the_organisation_page_names_the_residents_it_shows(world):
    from yiyang.organisations.models import Admission

    client = Client()
    client.force_login(world.users["street0"])
    before = newest_id()
    client.get(f"/organisations/{world.orgs['institution0'].public_id}/")
    [stays] = [e for e in view_events_of(before) if e.entity_type == "admission"]
    stay = Admission.objects.get(elder=world.elders["resident0"])
    assert_names(stays, [str(stay.public_id)])


@pytest.mark.parametrize("kind", ["api", "page"])
def test_an_account_read_records_a_view_under_the_officers_district(world, kind):
    account = world.users["street0"]
    url = f"/api/v1/users/{account.public_id}/" if kind == "api" else f"/staff/{account.public_id}/"
    client: Any = APIClient() if kind == "api" else Client()
    if kind == "api":
        client.force_authenticate(world.users["bureau"])
    else:
        client.force_login(world.users["bureau"])
    before = newest_id()
    assert client.get(url).status_code == 200
    [event] = view_events_of(before)
    assert (event.entity_type, event.entity_id, event.district_id) == (
        "account",
        str(account.public_id),
        world.district.pk,
    )
