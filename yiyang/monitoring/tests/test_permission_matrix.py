"""Every API endpoint and page of the monitoring rules configuration, asked by four kinds of caller.

Anonymous; someone of another jurisdiction (district rules: the officer of another district;
elder profiles: the other street's staff, who hold every monitoring right); someone of the same
jurisdiction without the right; someone with it. Out of reach answers 404, never 403, and a refused
write leaves nothing behind.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from yiyang.core.testing import World, assert_permission_before_body, assert_permission_before_query
from yiyang.monitoring.tests.support import HR_140, counts, district_b, rules_viewer
from yiyang.organisations.tests.support import ANONYMOUS_API_STATUS, api_client, grant, page_client

MONITORING_RIGHTS = ("monitoring.rules.view", "monitoring.rules.change", "monitoring.profile.change")


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None
    page: bool = False
    right: str = "street0"
    ok: int = 200
    without: str = "street0_noright"
    without_status: int = 403
    other: str = "street1"
    other_status: int = 404
    other_check: Callable[[World, Any], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def district(w: World) -> str:
    return str(w.district.public_id)


def elder0(w: World) -> str:
    return str(w.elders["elder0"].public_id)


def own_district_b(w: World, response: Any) -> None:
    assert response["Location"] == f"/monitoring/rules/{w.districts_b.public_id}/"  # type: ignore[attr-defined]


PROFILE = {"flags": ["copd"], "override": {"rules": {"hr_high": {"params": {"threshold": 150}}}}, "note": "矩阵"}

CASES: list[Case] = [
    # API
    Case("api-monitoring-district-rules", "get", lambda w: f"/api/v1/monitoring/districts/{district(w)}/rules/",
         other="bureau_b"),
    Case("api-monitoring-district-rules", "put", lambda w: f"/api/v1/monitoring/districts/{district(w)}/rules/",
         data=lambda w: {"document": HR_140, "note": "矩阵"}, label="change", right="bureau", without="health_officer",
         other="bureau_b"),
    Case("api-monitoring-district-rule-versions", "get",
         lambda w: f"/api/v1/monitoring/districts/{district(w)}/rules/versions/", other="bureau_b"),
    Case("api-monitoring-elder-profile", "get", lambda w: f"/api/v1/monitoring/elders/{elder0(w)}/profile/",
         without="street0_readonly"),
    Case("api-monitoring-elder-profile", "put", lambda w: f"/api/v1/monitoring/elders/{elder0(w)}/profile/",
         data=lambda w: PROFILE, label="change", without="street0_rulesview"),
    # pages
    Case("monitoring-rules", "get", lambda w: "/monitoring/rules/", page=True, ok=302, other="bureau_b",
         other_status=302, other_check=own_district_b),
    Case("monitoring-district-rules", "get", lambda w: f"/monitoring/rules/{district(w)}/", page=True,
         other="bureau_b"),
    Case("monitoring-district-rules", "post", lambda w: f"/monitoring/rules/{district(w)}/", page=True,
         data=lambda w: {"document": '{"rules": {"hr_high": {"params": {"threshold": 140}}}}'}, label="change",
         right="bureau", ok=302, without="health_officer", other="bureau_b"),
    Case("monitoring-elder-profile", "get", lambda w: f"/monitoring/elders/{elder0(w)}/profile/", page=True,
         without="street0_readonly"),
    Case("monitoring-elder-profile", "post", lambda w: f"/monitoring/elders/{elder0(w)}/profile/", page=True,
         data=lambda w: {"flags": ["copd"], "override": "", "note": "矩阵"}, label="change", ok=302,
         without="street0_rulesview"),
]  # fmt: skip


@pytest.fixture
def matrix_world(world: World) -> World:
    """A second district with its officer; a street-0 account that may see rules but change nothing;
    the other street granted every monitoring right, so only the reach stops it."""
    world.districts_b = district_b(world)  # type: ignore[attr-defined]
    rules_viewer(world)
    grant(world.users["street1"], *MONITORING_RIGHTS)
    return world


def call(case: Case, world: World, username: str | None) -> Any:
    user = world.users[username] if username else None
    client: Any = page_client(user) if case.page else api_client(user)
    data = case.data(world) if case.data else None
    kwargs = {"format": "json"} if not case.page and data is not None else {}
    return getattr(client, case.method)(case.path(world), data, **kwargs)


def is_write(case: Case) -> bool:
    return case.method != "get"


def without_views(before: dict[str, int], after: dict[str, int]) -> bool:
    """Reading a profile writes a view event; compare the rest."""
    return {k: v for k, v in before.items() if k != "audit"} == {k: v for k, v in after.items() if k != "audit"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_refused(matrix_world, case):
    before = counts()
    response = call(case, matrix_world, None)
    if case.page:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == ANONYMOUS_API_STATUS
    assert counts() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_another_jurisdiction_reaches_nothing(matrix_world, case):
    before = counts()
    response = call(case, matrix_world, case.other)
    assert response.status_code == case.other_status, response.content[:500]
    if case.other_check is not None:
        case.other_check(matrix_world, response)
    assert counts() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_same_jurisdiction_without_the_right_is_refused(matrix_world, case):
    before = counts()
    response = call(case, matrix_world, case.without)
    assert response.status_code == case.without_status, response.content[:500]
    assert counts() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_right_it_succeeds(matrix_world, case):
    before = counts()
    response = call(case, matrix_world, case.right)
    assert response.status_code == case.ok, response.content[:500]
    after = counts()
    if is_write(case):
        assert not without_views(before, after)
        assert after["audit"] == before["audit"] + 1
    else:
        assert without_views(before, after)


def test_every_url_of_the_app_is_in_the_matrix():
    from yiyang.monitoring.api.urls import urlpatterns as api_patterns
    from yiyang.monitoring.web.urls import urlpatterns as web_patterns

    names = {p.name for p in [*api_patterns, *web_patterns]}
    assert names == {case.url_name for case in CASES}
    assert all(name.startswith("api-") for name in (p.name for p in api_patterns))


@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_body(matrix_world, case):
    assert_permission_before_body(call, case, matrix_world)


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_query(matrix_world, case):
    assert_permission_before_query(call, case, matrix_world)
