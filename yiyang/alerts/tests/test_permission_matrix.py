"""Every API endpoint and page of the alerts app, asked by four kinds of caller.

Anonymous; someone of the other street (granted every alerts right, so only the reach stops
them); someone of the same street without the right; someone with it. Out-of-reach alerts answer
404, never 403, and lists, the live stream and the SLA report hold nothing from the other street.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from yiyang.alerts.models import Alert, AlertEvent, EscalationPolicy
from yiyang.alerts.services import alert_dispatch, alerts_apply
from yiyang.alerts.tests.support import grant, raise_cmd
from yiyang.alerts.web import stream
from yiyang.audit.models import AuditEvent
from yiyang.core.testing import World, assert_permission_before_body, assert_permission_before_query
from yiyang.organisations.tests.support import ANONYMOUS_API_STATUS, api_client, page_client

ALERT_RIGHTS = ("alerts.view", "alerts.handle", "alerts.supervise", "alerts.configure")


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None
    page: bool = False
    right: str = "street0"
    ok: int = 200
    without: str = "street0_viewer"  # may see alerts, may not handle them
    without_status: int = 403
    without_check: Callable[[World, Any], None] | None = None
    other: str = "street1"
    other_status: int = 404
    other_check: Callable[[World, Any], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def sos(w: World, s: int = 0) -> Alert:
    return Alert.objects.get(elder=w.elders[f"elder{s}"], alert_type="sos")


def a0(w: World) -> str:
    return str(sos(w).public_id)


def fall0(w: World) -> str:
    return str(Alert.objects.get(elder=w.elders["elder0"], alert_type="fall").public_id)


def only_street1(w: World, response: Any) -> None:
    body = response.json()
    ids = {row["id"] for row in body["results"]}
    assert ids == {str(sos(w, 1).public_id)}, body
    assert body["count"] == 1


def none_listed(w: World, response: Any) -> None:
    assert response.json()["count"] == 0


def page_has(*present: str, absent: tuple[str, ...] = ()) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        for needle in present:
            assert needle in text, needle
        for needle in absent:
            assert needle not in text, needle

    return check


def console_street1_only(w: World, response: Any) -> None:
    page_has(str(sos(w, 1).public_id), absent=(a0(w), fall0(w)))(w, response)


def stream_street1_only(w: World, response: Any) -> None:
    page_has(str(sos(w, 1).public_id), absent=(a0(w), fall0(w)))(w, response)


def battery0(w: World) -> str:
    return str(Alert.objects.get(elder=w.elders["elder0"], alert_type="battery_low").public_id)


def no_technical_of_street0(w: World, response: Any) -> None:
    body = response.json()
    assert body["count"] == 0 and body["results"] == [], body


def technical_console_without_street0(w: World, response: Any) -> None:
    page_has('data-testid="no-alerts"', absent=(battery0(w), a0(w), str(sos(w, 1).public_id)))(w, response)


def technical_stream_without_street0(w: World, response: Any) -> None:
    page_has('"technical": 0', absent=(battery0(w), a0(w), str(sos(w, 1).public_id)))(w, response)


def sla_street1_only(w: World, response: Any) -> None:
    body = response.json()
    assert [row["street"] for row in body["by_street"]] == [w.streets[1].name]
    assert body["overall"]["alerts"] == 1


def district_a_policy_unchanged(w: World, response: Any) -> None:
    assert not EscalationPolicy.objects.filter(district=w.district).exists()


RANGE = "?start=2025-05-01&end=2025-06-30"
POLICY = {
    "severity": "urgent",
    "policy": {"steps": [{"after_seconds": 0, "notify": ["console"]}, {"after_seconds": 120, "notify": ["helper"]}]},
    "source": "区民政局2025年第1号通知",
}

CASES: list[Case] = [
    # API
    Case("api-alert-list", "get", lambda w: "/api/v1/alerts/", without="street0_noright",
         other_status=200, other_check=only_street1),
    Case("api-alert-list", "get", lambda w: "/api/v1/alerts/?category=technical", label="technical",
         without="street0_noright", other_status=200, other_check=no_technical_of_street0),
    Case("api-alert-detail", "get", lambda w: f"/api/v1/alerts/{a0(w)}/", without="street0_noright",
         without_status=404),
    Case("api-alert-timeline", "get", lambda w: f"/api/v1/alerts/{a0(w)}/timeline/", without="street0_noright",
         without_status=404),
    Case("api-alert-acknowledge", "post", lambda w: f"/api/v1/alerts/{a0(w)}/acknowledge/", data=lambda w: {}),
    Case("api-alert-dispatch", "post", lambda w: f"/api/v1/alerts/{a0(w)}/dispatch/",
         data=lambda w: {"target": "helper"}),
    Case("api-alert-on-scene", "post", lambda w: f"/api/v1/alerts/{fall0(w)}/on-scene/", data=lambda w: {}),
    Case("api-alert-close", "post", lambda w: f"/api/v1/alerts/{a0(w)}/close/",
         data=lambda w: {"close_code": "false_alarm_behaviour"}),
    Case("api-alert-handoff", "get", lambda w: f"/api/v1/alerts/{a0(w)}/handoff/"),
    Case("api-alert-sla", "get", lambda w: f"/api/v1/alerts/sla/{RANGE}", without="street0_noright", other_status=200,
         other_check=sla_street1_only),
    Case("api-alert-policy", "get", lambda w: "/api/v1/alerts/escalation-policy/", without="street0_noright",
         other_status=200),
    Case("api-alert-policy", "put", lambda w: "/api/v1/alerts/escalation-policy/", data=lambda w: POLICY,
         label="change", right="bureau", without="street0", other="bureau_b", other_status=200,
         other_check=district_a_policy_unchanged),
    # A street account granted alerts.configure is still no district officer: 403, nothing changes.
    Case("api-alert-policy", "put", lambda w: "/api/v1/alerts/escalation-policy/", data=lambda w: POLICY,
         label="street granted", right="bureau", without="street1", other="bureau_b", other_status=200,
         other_check=district_a_policy_unchanged),
    # pages
    Case("alert-console", "get", lambda w: "/alerts/", page=True, without="street0_noright", other_status=200,
         other_check=console_street1_only),
    Case("alert-console", "get", lambda w: "/alerts/?category=technical", page=True, label="technical",
         without="street0_noright", other_status=200, other_check=technical_console_without_street0),
    Case("alert-stream", "get", lambda w: "/alerts/stream/?after=0", page=True, without="street0_noright",
         other_status=200, other_check=stream_street1_only),
    Case("alert-stream", "get", lambda w: "/alerts/stream/?after=0&category=technical", page=True, label="technical",
         without="street0_noright", other_status=200, other_check=technical_stream_without_street0),
    Case("alert-sla", "get", lambda w: f"/alerts/sla/{RANGE}", page=True, without="street0_noright", other_status=200,
         other_check=page_has("第2街道</th>", absent=("第1街道</th>",))),
    Case("alert-detail", "get", lambda w: f"/alerts/{a0(w)}/", page=True, without="street0_noright",
         without_status=404),
    Case("alert-acknowledge", "post", lambda w: f"/alerts/{a0(w)}/acknowledge/", page=True, data=lambda w: {},
         ok=302),
    Case("alert-dispatch", "post", lambda w: f"/alerts/{a0(w)}/dispatch/", page=True,
         data=lambda w: {"target": "family"}, ok=302),
    Case("alert-on-scene", "post", lambda w: f"/alerts/{fall0(w)}/on-scene/", page=True, data=lambda w: {}, ok=302),
    Case("alert-close", "post", lambda w: f"/alerts/{a0(w)}/close/", page=True,
         data=lambda w: {"close_code": "true_emergency"}, ok=302),
]  # fmt: skip


@pytest.fixture(autouse=True)
def short_streams(monkeypatch):
    monkeypatch.setattr(stream, "LIFETIME_SECONDS", 0.1)
    monkeypatch.setattr(stream, "POLL_SECONDS", 0.02)


@pytest.fixture
def matrix_world(world: World) -> World:
    """An open SOS alert for elder0 and elder1, a dispatched fall alert and an open technical (low
    battery) alert for elder0, a viewer without the right to handle, the other street granted every
    alerts right, and a second district's officer."""
    from yiyang.accounts.choices import Role
    from yiyang.accounts.models import User
    from yiyang.areas.models import Area
    from yiyang.core.testing import PASSWORD, set_permissions

    alerts_apply(
        [
            raise_cmd(world.elders["elder0"]),
            raise_cmd(world.elders["elder1"]),
            raise_cmd(world.elders["elder0"], "fall", "emergency", rule="fall.declared"),
            raise_cmd(world.elders["elder0"], "battery_low", "technical", rule="battery_low", battery=15),
        ]
    )
    fall = Alert.objects.get(alert_type="fall")
    alert_dispatch(actor=world.users["street0"], alert=fall, target="helper")
    viewer = User.objects.create_user(
        username="street0_viewer",
        password=PASSWORD,
        role=Role.STREET_STAFF,
        area=world.streets[0],
    )
    world.users["street0_viewer"] = set_permissions(viewer, "elders.view", "alerts.view")
    grant(world.users["street1"], *ALERT_RIGHTS)
    district_b = Area.objects.create(code="350203", name="乙区", level="district")
    world.users["bureau_b"] = User.objects.create_user(
        username="bureau_b",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        area=district_b,
    )
    return world


def call(case: Case, world: World, username: str | None) -> Any:
    user = world.users[username] if username else None
    client: Any = page_client(user) if case.page else api_client(user)
    data = case.data(world) if case.data else None
    kwargs = {"format": "json"} if not case.page and data is not None else {}
    return getattr(client, case.method)(case.path(world), data, **kwargs)


def snapshot(world: World) -> dict[str, Any]:
    return {
        "alerts": sorted(Alert.objects.values_list("status", "close_code", "dispatch_target")),
        "events": AlertEvent.objects.count(),
        "policies": EscalationPolicy.objects.filter(district=world.district).count(),
        "audit": AuditEvent.objects.filter(entity_type__startswith="alert").count(),
    }


def is_write(case: Case) -> bool:
    return case.method != "get"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_refused(matrix_world, case):
    before = snapshot(matrix_world)
    response = call(case, matrix_world, None)
    if case.page:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == ANONYMOUS_API_STATUS
    assert snapshot(matrix_world) == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_other_street_reaches_nothing_of_street0(matrix_world, case):
    before = snapshot(matrix_world)
    response = call(case, matrix_world, case.other)
    assert response.status_code == case.other_status, response.content[:500] if not response.streaming else ""
    if case.other_check is not None:
        case.other_check(matrix_world, response)
    if is_write(case) and case.other == "street1":
        assert snapshot(matrix_world) == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_same_street_without_the_right_is_refused(matrix_world, case):
    before = snapshot(matrix_world)
    response = call(case, matrix_world, case.without)
    assert response.status_code == case.without_status, response.content[:500] if not response.streaming else ""
    if case.without_check is not None:
        case.without_check(matrix_world, response)
    if is_write(case):
        assert snapshot(matrix_world) == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_right_it_succeeds(matrix_world, case):
    before = snapshot(matrix_world)
    response = call(case, matrix_world, case.right)
    assert response.status_code == case.ok, response.content[:500] if not response.streaming else ""
    if is_write(case):
        assert snapshot(matrix_world) != before


def test_every_url_of_the_app_is_in_the_matrix():
    from yiyang.alerts.api.urls import urlpatterns as api_patterns
    from yiyang.alerts.web.urls import urlpatterns as web_patterns

    names = {p.name for p in [*api_patterns, *web_patterns]}
    assert names == {case.url_name for case in CASES}
    assert all(name.startswith("api-") for name in (p.name for p in api_patterns))


@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_body(matrix_world, case):
    assert_permission_before_body(call, case, matrix_world)


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_query(matrix_world, case):
    assert_permission_before_query(call, case, matrix_world)
