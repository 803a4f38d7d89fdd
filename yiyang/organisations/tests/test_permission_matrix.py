"""Every API endpoint and page of this app, asked by four kinds of caller.

Anonymous; someone of the other street (granted every right, so only the reach stops them); someone
of the same street without the right; someone with it. Out-of-reach records answer 404, never 403,
and lists and counts hold nothing from the other street.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yiyang.core.testing import World, assert_permission_before_body, assert_permission_before_query
from yiyang.organisations.models import Admission, Bed, Organisation
from yiyang.organisations.tests.support import (
    ANONYMOUS_API_STATUS,
    api_client,
    grant,
    organisation_form_data,
    page_client,
    snapshot,
)

EVERY_RIGHT = ("organisations.view", "organisations.change", "beds.manage", "elders.view", "elders.export")
STREET0_ORGS = ("institution0", "station0", "centre0", "health0")


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None
    page: bool = False
    right: str = "street0"
    grant: tuple[str, ...] = ()
    ok: int = 200
    without: str = "street0_readonly"
    without_status: int = 403
    without_check: Callable[[World, Any], None] | None = None
    other_status: int = 404
    other_check: Callable[[World, Any], None] | None = None
    # Where a page sends the caller with the right (default: institution0's detail page).
    location: Callable[[World], str] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def org(w: World, key: str) -> str:
    return str(w.orgs[key].public_id)


def free_bed(w: World) -> Bed:
    return Bed.objects.filter(organisation=w.orgs["institution0"], state="free").order_by("number")[0]


def stay0(w: World) -> str:
    return str(Admission.objects.get(elder=w.elders["resident0"]).public_id)


def api_ids(response: Any) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def api_count(expected: int) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        assert response.json()["count"] == expected, response.json()

    return check


def no_street0_orgs_api(w: World, response: Any) -> None:
    assert response.json()["count"] == 4
    assert not api_ids(response) & {org(w, k) for k in STREET0_ORGS}


def only_street1_stays(w: World, response: Any) -> None:
    assert [row["elder"]["name"] for row in response.json()["results"]] == ["resident1老人"]
    assert response.json()["count"] == 1


def occupancy_of(expected_total: int, expected_names: list[str]) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        body = response.json()
        assert body["summary"]["total"] == expected_total
        assert [row["name"] for row in body["by_organisation"]] == expected_names

    return check


def page_has(*present: str, absent: tuple[str, ...] = ()) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        text = response.content.decode()
        for needle in present:
            assert needle in text, needle
        for needle in absent:
            assert needle not in text, needle

    return check


def page_rows(count: int) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        assert response.content.decode().count('data-testid="organisation-row"') == count

    return check


def both(*checks: Callable[[World, Any], None]) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        for each in checks:
            each(w, response)

    return check


def sheet_names(response: Any) -> list[str]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return sorted(row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True))


def sheet_is_street1(w: World, response: Any) -> None:
    assert sheet_names(response) == ["centre1机构", "health1机构", "institution1机构", "station1机构"]


def offers_street1_areas_only(w: World, response: Any) -> None:
    text = response.content.decode()
    assert all(str(a.public_id) in text for a in (w.streets[1], *w.communities[1]))
    assert not any(str(a.public_id) in text for a in (w.streets[0], *w.communities[0]))


def new_organisation_page(w: World) -> str:
    return reverse("organisation-detail", args=[Organisation.objects.get(name="矩阵新站").public_id])


new_station = lambda w: {"kind": "station", "name": "矩阵新站", "area": str(w.communities[0][1].public_id)}  # noqa: E731
admit_body = lambda w: {"bed": str(free_bed(w).public_id), "elder_national_id": w.elders["elder0"].national_id}  # noqa: E731

CASES: list[Case] = [
    # API
    Case("api-organisation-list", "get", lambda w: "/api/v1/organisations/", without="street0_noright",
         other_status=200, other_check=no_street0_orgs_api),
    Case("api-organisation-list", "post", lambda w: "/api/v1/organisations/", data=new_station, label="create",
         grant=("organisations.change",), ok=201, other_status=400),
    Case("api-organisation-detail", "get", lambda w: f"/api/v1/organisations/{org(w, 'station0')}/",
         without="street0_noright", without_status=404),
    Case("api-organisation-detail", "patch", lambda w: f"/api/v1/organisations/{org(w, 'station0')}/",
         data=lambda w: {"contact_name": "矩阵"}, grant=("organisations.change",)),
    Case("api-organisation-beds", "get", lambda w: f"/api/v1/organisations/{org(w, 'institution0')}/beds/",
         without="street0_noright", without_status=404),
    Case("api-organisation-beds", "post", lambda w: f"/api/v1/organisations/{org(w, 'institution0')}/beds/",
         data=lambda w: {"room": "909", "number": "1"}, label="create", right="institution0", ok=201),
    Case("api-bed-state", "post", lambda w: f"/api/v1/beds/{free_bed(w).public_id}/state/",
         data=lambda w: {"state": "reserved"}, right="institution0"),
    Case("api-admission-list", "get", lambda w: "/api/v1/admissions/", without="street0_noright",
         other_status=200, other_check=only_street1_stays),
    Case("api-admission-list", "post", lambda w: "/api/v1/admissions/", data=admit_body, label="admit",
         right="institution0", ok=201),
    Case("api-admission-discharge", "post", lambda w: f"/api/v1/admissions/{stay0(w)}/discharge/",
         data=lambda w: {"reason": "home"}, right="institution0"),
    Case("api-occupancy", "get", lambda w: "/api/v1/occupancy/", without="street0_noright", other_status=200,
         other_check=occupancy_of(3, ["centre1机构", "institution1机构"])),
    # pages
    Case("organisation-list", "get", lambda w: "/organisations/", page=True, without="street0_noright",
         other_status=200,
         other_check=lambda w, r: both(page_rows(4), page_has("station1机构", absent=("station0机构",)))(w, r)),
    Case("organisation-export", "get", lambda w: "/organisations/export/", page=True, other_status=200,
         other_check=sheet_is_street1),
    Case("organisation-create", "get", lambda w: "/organisations/new/", page=True, grant=("organisations.change",),
         other_status=200, other_check=offers_street1_areas_only),
    Case("organisation-create", "post", lambda w: "/organisations/new/", page=True, data=new_station,
         grant=("organisations.change",), ok=302, location=new_organisation_page, other_status=400,
         other_check=page_has('data-testid="error-area">区域不存在或不在您的辖区内<')),
    Case("organisation-detail", "get", lambda w: f"/organisations/{org(w, 'station0')}/", page=True,
         without="street0_noright", without_status=404),
    Case("organisation-edit", "get", lambda w: f"/organisations/{org(w, 'institution0')}/edit/", page=True,
         grant=("organisations.change",)),
    Case("organisation-edit", "post", lambda w: f"/organisations/{org(w, 'institution0')}/edit/", page=True,
         data=lambda w: organisation_form_data(w.orgs["institution0"], contact_name="矩阵"),
         grant=("organisations.change",), ok=302),
    Case("organisation-bed-create", "post", lambda w: f"/organisations/{org(w, 'institution0')}/beds/", page=True,
         data=lambda w: {"room": "909", "number": "1"}, right="institution0", ok=302),
    Case("organisation-admit", "post", lambda w: f"/organisations/{org(w, 'institution0')}/admit/", page=True,
         data=lambda w: {"bed": str(free_bed(w).public_id), "elder_national_id": w.elders["elder0"].national_id},
         right="institution0", ok=302),
    Case("bed-state", "post", lambda w: f"/beds/{free_bed(w).public_id}/state/", page=True,
         data=lambda w: {"state": "unavailable"}, right="institution0", ok=302),
    Case("admission-discharge", "get", lambda w: f"/admissions/{stay0(w)}/discharge/", page=True,
         right="institution0", label="form"),
    Case("admission-discharge", "post", lambda w: f"/admissions/{stay0(w)}/discharge/", page=True,
         data=lambda w: {"reason": "home"}, right="institution0", ok=302),
    Case("occupancy", "get", lambda w: "/occupancy/", page=True, without="street0_noright", other_status=200,
         other_check=page_has('data-testid="total">3<', "institution1机构", absent=("institution0机构",))),
]  # fmt: skip


@pytest.fixture
def matrix_world(world: World) -> World:
    grant(world.users["street1"], *EVERY_RIGHT)
    return world


def call(case: Case, world: World, username: str | None) -> Any:
    user = world.users[username] if username else None
    client: Any = page_client(user) if case.page else api_client(user)
    data = case.data(world) if case.data else None
    kwargs = {"format": "json"} if not case.page and data is not None else {}
    return getattr(client, case.method)(case.path(world), data, **kwargs)


def is_write(case: Case) -> bool:
    return case.method != "get"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_refused(matrix_world, case):
    before = snapshot()
    response = call(case, matrix_world, None)
    if case.page:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == ANONYMOUS_API_STATUS
        assert response.json()["status"] == ANONYMOUS_API_STATUS
    assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_other_street_reaches_nothing_of_street0(matrix_world, case):
    before = snapshot()
    response = call(case, matrix_world, "street1")
    assert response.status_code == case.other_status, response.content[:500]
    if case.other_check is not None:
        case.other_check(matrix_world, response)
    if is_write(case):
        assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_same_street_without_the_right_is_refused(matrix_world, case):
    before = snapshot()
    response = call(case, matrix_world, case.without)
    assert response.status_code == case.without_status, response.content[:500]
    if case.without_check is not None:
        case.without_check(matrix_world, response)
    if is_write(case):
        assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_right_it_succeeds(matrix_world, case):
    if case.grant:
        grant(matrix_world.users[case.right], *case.grant)
    response = call(case, matrix_world, case.right)
    assert response.status_code == case.ok, response.content[:500]
    if case.page and case.ok == 302:
        expected = case.location or (lambda w: reverse("organisation-detail", args=[org(w, "institution0")]))
        assert response["Location"] == expected(matrix_world)


def test_every_url_of_the_app_is_in_the_matrix():
    from yiyang.organisations.api.urls import urlpatterns as api_patterns
    from yiyang.organisations.web.urls import urlpatterns as web_patterns

    names = {p.name for p in [*api_patterns, *web_patterns]}
    assert names == {case.url_name for case in CASES}
    assert all(name.startswith("api-") for name in (p.name for p in api_patterns))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/organisations/", 1),
        ("/api/v1/admissions/", 1),
    ],
)
def test_institution_staff_list_their_own_organisation_only(world, path, expected):
    response = api_client(world.users["institution0"]).get(path)
    assert response.status_code == 200
    assert response.json()["count"] == expected
    if path == "/api/v1/organisations/":
        assert api_ids(response) == {org(world, "institution0")}


@pytest.mark.parametrize(
    "path",
    [
        lambda w: f"/api/v1/organisations/{org(w, 'station0')}/",
        lambda w: f"/api/v1/organisations/{org(w, 'institution1')}/",
        lambda w: f"/api/v1/organisations/{org(w, 'institution1')}/beds/",
    ],
)
def test_institution_staff_do_not_reach_other_organisations(world, path):
    assert api_client(world.users["institution0"]).get(path(world)).status_code == 404


def test_institution_staff_see_their_beds_and_occupancy(world):
    client = api_client(world.users["institution0"])
    assert client.get(f"/api/v1/organisations/{org(world, 'institution0')}/beds/").json()["count"] == 3
    body = client.get("/api/v1/occupancy/").json()
    assert body["summary"] == {"total": 3, "occupied": 1, "reserved": 0, "free": 2, "unavailable": 0, "rate": 33.3}
    assert [row["name"] for row in body["by_organisation"]] == ["institution0机构"]
    assert [row["name"] for row in body["by_street"]] == ["第1街道"]


@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_body(matrix_world, case):
    assert_permission_before_body(call, case, matrix_world)


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_query(matrix_world, case):
    assert_permission_before_query(call, case, matrix_world)
