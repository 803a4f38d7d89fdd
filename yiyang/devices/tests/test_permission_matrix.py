"""Every API endpoint and page of the devices app, asked by four kinds of caller: anonymous; someone
of the other street; someone of the same street without the right; someone with it. A device of
street 0 is out of reach for street 1 (404, and absent from lists and counts). Pending devices and
dead letters are unlocated queues: device managers of a street, the district or the whole platform see
them; a community station, though it manages devices, does not."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from yiyang.core.testing import World, assert_permission_before_body, assert_permission_before_query
from yiyang.devices.models import DeadLetter, Device, DeviceBinding, PendingDevice
from yiyang.devices.tests.conftest import bind, make_device
from yiyang.organisations.tests.support import api_client, grant, page_client

# The webhook is authenticated by a vendor secret, not an account (see test_push_api.py).
PUBLIC_URLS = {"api-device-push"}


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None
    page: bool = False
    ok: int = 200
    without: str = "street0_devview"
    without_status: int = 403
    other_status: int = 404
    other_check: Callable[[World, Any], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def dev(w: World, key: str = "bound0") -> str:
    return str(w.devices[key].public_id)  # type: ignore[attr-defined]


def pend(w: World) -> str:
    return str(PendingDevice.objects.get(identifier="pir-0000").public_id)


def api_count(n: int) -> Callable[[World, Any], None]:
    def check(w: World, r: Any) -> None:
        assert r.json()["count"] == n, r.json()

    return check


def no_street0_devices(w: World, r: Any) -> None:
    text = r.content.decode()
    assert "869000000000000" not in text and "free-street0" not in text
    assert "869000000000011" in text


new_device = lambda w: {"kind": "watch", "protocol": "iw_tcp", "identifier": "869000000000099",  # noqa: E731
                        "street": str(w.streets[0].public_id)}  # fmt: skip

CASES: list[Case] = [
    # API
    Case("api-device-list", "get", lambda w: "/api/v1/devices/", without="street0_noright",
         other_status=200, other_check=no_street0_devices),
    Case("api-device-list", "post", lambda w: "/api/v1/devices/", data=new_device, label="create", ok=201,
         other_status=400),
    Case("api-device-status", "get", lambda w: "/api/v1/devices/status/", without="street0_noright", without_status=200,
         other_status=200, other_check=lambda w, r: None if r.json()["devices"]["total"] == 1 else pytest.fail(r.json())),
    Case("api-device-detail", "get", lambda w: f"/api/v1/devices/{dev(w)}/", without="street0_noright",
         without_status=404),
    Case("api-device-detail", "patch", lambda w: f"/api/v1/devices/{dev(w)}/", data=lambda w: {"note": "矩阵"}),
    Case("api-device-bindings", "get", lambda w: f"/api/v1/devices/{dev(w)}/bindings/", without="street0_noright",
         without_status=404),
    Case("api-device-bind", "post", lambda w: f"/api/v1/devices/{dev(w, 'free0')}/bind/",
         data=lambda w: {"elder": str(w.elders["elder0"].public_id), "location": "卧室"}),
    Case("api-device-unbind", "post", lambda w: f"/api/v1/devices/{dev(w)}/unbind/"),
    Case("api-pending-device-list", "get", lambda w: "/api/v1/devices/pending/", without="street0_devview",
         other_status=200, other_check=api_count(1)),
    Case("api-pending-device-register", "post", lambda w: f"/api/v1/devices/pending/{pend(w)}/register/",
         data=lambda w: {"kind": "motion_sensor"}, ok=201, other_status=201),
    Case("api-pending-device-ignore", "post", lambda w: f"/api/v1/devices/pending/{pend(w)}/ignore/", other_status=200),
    Case("api-dead-letter-list", "get", lambda w: "/api/v1/devices/dead-letters/", other_status=200,
         other_check=api_count(1)),
    # pages
    Case("device-list", "get", lambda w: "/devices/", page=True, without="street0_noright", without_status=200,
         other_status=200, other_check=no_street0_devices),
    Case("device-create", "get", lambda w: "/devices/new/", page=True, other_status=200),
    Case("device-create", "post", lambda w: "/devices/new/", page=True, data=new_device, ok=302, other_status=400),
    Case("device-detail", "get", lambda w: f"/devices/{dev(w)}/", page=True, without="street0_noright",
         without_status=404),
    Case("device-edit", "get", lambda w: f"/devices/{dev(w)}/edit/", page=True),
    Case("device-edit", "post", lambda w: f"/devices/{dev(w)}/edit/", page=True, ok=302,
         data=lambda w: {"kind": "watch", "vendor": "v", "model_name": "", "note": "n", "state": "active"}),
    Case("device-bind", "post", lambda w: f"/devices/{dev(w, 'free0')}/bind/", page=True, ok=302,
         data=lambda w: {"elder": str(w.elders["elder0"].public_id)}),
    Case("device-unbind", "post", lambda w: f"/devices/{dev(w)}/unbind/", page=True, ok=302),
    Case("pending-device-list", "get", lambda w: "/devices/pending/", page=True, other_status=200),
    Case("pending-device-register", "post", lambda w: f"/devices/pending/{pend(w)}/register/", page=True,
         data=lambda w: {"kind": "motion_sensor"}, ok=302, other_status=302),
    Case("pending-device-ignore", "post", lambda w: f"/devices/pending/{pend(w)}/ignore/", page=True, ok=302,
         other_status=302),
    Case("dead-letter-list", "get", lambda w: "/devices/dead-letters/", page=True, other_status=200),
]  # fmt: skip


@pytest.fixture
def matrix_world(world: World) -> World:
    from yiyang.accounts.choices import Role
    from yiyang.accounts.models import User
    from yiyang.core.testing import PASSWORD, set_permissions

    elder = world.elders["elder0"]
    elder.monitoring_consent = True
    elder.save(update_fields=["monitoring_consent"])
    world.devices = {  # type: ignore[attr-defined]
        "bound0": make_device(world, 0, "watch", "iw_tcp", "869000000000000"),
        "free0": make_device(world, 0, "door_sensor", "mqtt_json", "free-street0"),
        "bound1": make_device(world, 1, "watch", "iw_tcp", "869000000000011"),
    }
    bind(world.devices["bound0"], elder)  # type: ignore[attr-defined]
    bind(world.devices["bound1"], world.elders["elder1"])  # type: ignore[attr-defined]
    now = timezone.now()
    PendingDevice.objects.create(protocol="mqtt_json", identifier="pir-0000", first_seen_at=now, last_seen_at=now,
                                 message_count=1, reading_count=1)  # fmt: skip
    DeadLetter.objects.create(adapter="mqtt", payload="{", reason="payload: not JSON", received_at=now)
    world.users["street0_devview"] = set_permissions(User.objects.create_user(
        username="street0_devview", password=PASSWORD, role=Role.STREET_STAFF, area=world.streets[0],
    ), "elders.view", "devices.view")  # fmt: skip
    grant(world.users["street1"], "devices.view", "devices.manage")
    return world


def call(case: Case, world: World, username: str | None) -> Any:
    user = world.users[username] if username else None
    client: Any = page_client(user) if case.page else api_client(user)
    data = case.data(world) if case.data else None
    kwargs = {"format": "json"} if not case.page and data is not None else {}
    return getattr(client, case.method)(case.path(world), data, **kwargs)


def devices_snapshot() -> tuple[Any, ...]:
    return (
        Device.objects.count(),
        sorted(Device.objects.values_list("note", "vendor")),
        sorted(DeviceBinding.objects.filter(until=None).values_list("device_id", flat=True)),
        sorted(PendingDevice.objects.values_list("state", flat=True)),
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_refused(matrix_world, case):
    before = devices_snapshot()
    response = call(case, matrix_world, None)
    if case.page:
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == 401
    assert devices_snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_other_street_reaches_nothing_of_street0(matrix_world, case):
    response = call(case, matrix_world, "street1")
    assert response.status_code == case.other_status, response.content[:500]
    if case.other_check is not None:
        case.other_check(matrix_world, response)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_same_street_without_the_right_is_refused(matrix_world, case):
    before = devices_snapshot()
    response = call(case, matrix_world, case.without)
    assert response.status_code == case.without_status, response.content[:500]
    if case.method != "get":
        assert devices_snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_right_it_succeeds(matrix_world, case):
    response = call(case, matrix_world, "street0")
    assert response.status_code == case.ok, response.content[:500]


def test_every_url_of_the_app_is_in_the_matrix():
    from yiyang.devices.api.urls import urlpatterns as api_patterns
    from yiyang.devices.web.urls import urlpatterns as web_patterns

    names = {p.name for p in [*api_patterns, *web_patterns]}
    assert names == {case.url_name for case in CASES} | PUBLIC_URLS


def test_a_helper_sees_the_devices_of_their_own_elder_only(matrix_world):
    response = api_client(matrix_world.users["helper0"]).get("/api/v1/devices/")
    assert [row["identifier"] for row in response.json()["results"]] == ["869000000000000"]


def test_binding_needs_consent(matrix_world):
    response = api_client(matrix_world.users["street0"]).post(
        f"/api/v1/devices/{dev(matrix_world, 'free0')}/bind/", {"elder": str(matrix_world.elders["resident0"].public_id)},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "no_consent"


@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_body(matrix_world, case):
    assert_permission_before_body(call, case, matrix_world)


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_query(matrix_world, case):
    assert_permission_before_query(call, case, matrix_world)


QUEUE_CASES = [c for c in CASES if "pending" in c.url_name or "dead-letter" in c.url_name]


@pytest.mark.parametrize("case", QUEUE_CASES, ids=lambda c: c.id)
def test_a_community_station_that_manages_devices_is_refused_the_queues(matrix_world, case):
    before = devices_snapshot()
    response = call(case, matrix_world, "station0")
    assert response.status_code == 403, response.content[:500]
    assert "pir-0000" not in response.content.decode()
    assert devices_snapshot() == before


def test_the_station_gets_no_intake_counters_from_the_status_api(matrix_world):
    body = api_client(matrix_world.users["station0"]).get("/api/v1/devices/status/").json()
    assert "intake" not in body
    assert "intake" in api_client(matrix_world.users["street0"]).get("/api/v1/devices/status/").json()
