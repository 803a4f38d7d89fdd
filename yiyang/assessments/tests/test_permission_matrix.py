"""Every API endpoint and page of the assessments app, asked by four kinds of caller.

Anonymous; someone of the other jurisdiction (street 1 granted every assessment right, a reviewer of
street 1, or the officer of another district); someone of the same street without the right; someone
with it. Out-of-reach records answer 404, never 403, and lists hold nothing from street 0. Two rows
matter most to the issue: only a qualified assessor can submit (`centre0` holds assessments.create
but not the qualification → 403), and only a reviewer of the same jurisdiction can confirm (the
reviewer of street 1 → 404; the assessor themself → 403, see test_the_assessor_cannot_confirm).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yiyang.assessments.models import Assessment, PolicyVersion
from yiyang.assessments.tests.support import (
    GBT,
    LTC,
    api_client,
    confirmed,
    days_ago,
    draft,
    gbt_answers,
    grant,
    page_client,
    snapshot,
    submitted,
)
from yiyang.core.testing import World, assert_permission_before_body, assert_permission_before_query

EVERY_RIGHT = ("assessments.view", "assessments.create", "assessments.review", "assessments.policy", "elders.view")
TABLE = [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 3, 4, 5]]


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    path: Callable[[World], str]
    data: Callable[[World], Any] | None = None
    page: bool = False
    multipart: bool = False
    right: str = "street0"
    ok: int = 200
    without: str = "street0_readonly"
    without_status: int = 403
    without_check: Callable[[World, Any], None] | None = None
    other: str = "street1"
    other_status: int = 404
    other_check: Callable[[World, Any], None] | None = None
    location: Callable[[World], str] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def rec(w: World, key: str) -> str:
    return str(w.records[key].public_id)  # type: ignore[attr-defined]


def elder0(w: World) -> str:
    return str(w.elders["elder0"].public_id)


def api_count(expected: int) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        assert response.json()["count"] == expected, response.json()

    return check


def only_street1_api(w: World, response: Any) -> None:
    body = response.json()
    assert {row["id"] for row in body["results"]} == {rec(w, "street1")}, body
    assert body["count"] == 1


def page_has(*present: str, absent: tuple[str, ...] = ()) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        text = response.content.decode()
        for needle in present:
            assert needle in text, needle
        for needle in absent:
            assert needle not in text, needle

    return check


def only_street1_page(testid: str) -> Callable[[World, Any], None]:
    def check(w: World, response: Any) -> None:
        text = response.content.decode()
        assert text.count(f'data-testid="{testid}"') == 1
        assert w.elders["elder1"].name in text
        assert w.elders["elder0"].name not in text

    return check


def policy_of_district_b(w: World, response: Any) -> None:
    assert response.json()["district"] == "乙区"


def no_district_a_policy_api(w: World, response: Any) -> None:
    assert response.json()["count"] == 0


def policy_body(w: World) -> dict[str, Any]:
    return {
        "scale": LTC,
        "effective_from": "2025-01-01",
        "source": "矩阵附件",
        "verified": True,
        "policy": {"combination": TABLE},
    }


def policy_upload(w: World) -> dict[str, Any]:
    text = "scale: ltc-2021\neffective_from: 2025-01-01\nsource: 矩阵上传\nverified: false\ncombination: " + str(TABLE)
    return {"file": SimpleUploadedFile("p.yaml", text.encode())}


def create_body(w: World) -> dict[str, Any]:
    return {"elder": elder0(w), "scale": GBT, "reason": "first", "assessed_on": days_ago(1).isoformat(), "answers": {}}


def form_body(w: World) -> dict[str, Any]:
    data = {"scale": GBT, "reason": "routine", "assessed_on": "2025-06-01", "note": "", "action": "save"}
    data.update({f"item_{k}": str(v) for k, v in gbt_answers(1).items() if k.startswith("B.")})
    return data


def new_draft_location(w: World) -> str:
    newest = Assessment.objects.filter(elder=w.elders["elder0"], reason="routine").get()
    return reverse("assessment-edit", args=[newest.public_id])


def detail_of(key: str) -> Callable[[World], str]:
    return lambda w: reverse("assessment-detail", args=[rec(w, key)])


def correction_location(w: World) -> str:
    correction = Assessment.objects.get(supersedes=w.records["confirmed"])  # type: ignore[attr-defined]
    return reverse("assessment-edit", args=[correction.public_id])


CASES: list[Case] = [
    # API: scales
    Case("api-assessment-scale-list", "get", lambda w: "/api/v1/assessment-scales/", other_status=200),
    Case("api-assessment-scale-detail", "get", lambda w: f"/api/v1/assessment-scales/{GBT}/", other_status=200),
    # API: records
    Case("api-assessment-list", "get", lambda w: "/api/v1/assessments/", without="street0_noright",
         other_status=200, other_check=only_street1_api),
    Case("api-assessment-list", "post", lambda w: "/api/v1/assessments/", data=create_body, label="create", ok=201,
         without="centre0"),
    Case("api-assessment-score", "post", lambda w: "/api/v1/assessments/score/",
         data=lambda w: {"scale": GBT, "answers": gbt_answers(1)}, other_status=200),
    Case("api-assessment-due", "get", lambda w: "/api/v1/assessments/due/", without="street0_noright",
         other_status=200, other_check=only_street1_api),
    Case("api-assessment-detail", "get", lambda w: f"/api/v1/assessments/{rec(w, 'confirmed')}/", without_status=404),
    Case("api-assessment-detail", "patch", lambda w: f"/api/v1/assessments/{rec(w, 'draft')}/",
         data=lambda w: {"note": "矩阵"}, without="centre0"),
    Case("api-assessment-submit", "post", lambda w: f"/api/v1/assessments/{rec(w, 'draft')}/submit/",
         without="centre0"),
    Case("api-assessment-confirm", "post", lambda w: f"/api/v1/assessments/{rec(w, 'submitted')}/confirm/",
         right="medical0", without="street0", other="medical1"),
    Case("api-assessment-return", "post", lambda w: f"/api/v1/assessments/{rec(w, 'submitted')}/return/",
         data=lambda w: {"reason": "矩阵退回"}, right="medical0", without="street0", other="medical1"),
    Case("api-assessment-correct", "post", lambda w: f"/api/v1/assessments/{rec(w, 'confirmed')}/correct/",
         data=lambda w: {"note": "矩阵更正"}, ok=201, without="centre0"),
    Case("api-assessment-report", "get", lambda w: f"/api/v1/assessments/{rec(w, 'confirmed')}/report/",
         without_status=404),
    Case("api-elder-assessment-levels", "get", lambda w: f"/api/v1/elders/{elder0(w)}/assessment-levels/"),
    # API: policy (the other jurisdiction is another district's officer)
    Case("api-policy-version-list", "get", lambda w: "/api/v1/assessment-policies/", without="street0_noright",
         without_status=200, without_check=api_count(0), other="bureau_b", other_status=200,
         other_check=no_district_a_policy_api),
    Case("api-policy-version-list", "post", lambda w: "/api/v1/assessment-policies/", data=policy_body,
         label="load", right="bureau", ok=201, without="health_officer", other="bureau_b", other_status=201,
         other_check=policy_of_district_b),
    # pages
    Case("assessment-list", "get", lambda w: "/assessments/", page=True, other_status=200,
         other_check=only_street1_page("assessment-row")),
    Case("assessment-due", "get", lambda w: "/assessments/due/", page=True, other_status=200,
         other_check=only_street1_page("due-row")),
    Case("assessment-policy", "get", lambda w: "/assessments/policies/", page=True, without="street0_noright",
         other="bureau_b", other_status=200, other_check=page_has(absent=("矩阵区级政策",))),
    Case("assessment-policy", "post", lambda w: "/assessments/policies/", page=True, multipart=True,
         data=policy_upload, label="upload", right="bureau", ok=302, without="health_officer", other="bureau_b",
         other_status=302, location=lambda w: "/assessments/policies/"),
    Case("assessment-create", "get", lambda w: f"/elders/{elder0(w)}/assessments/new/?scale={GBT}", page=True,
         without="centre0"),
    Case("assessment-create", "post", lambda w: f"/elders/{elder0(w)}/assessments/new/?scale={GBT}", page=True,
         data=form_body, label="save", ok=302, without="centre0", location=new_draft_location),
    Case("assessment-detail", "get", lambda w: f"/assessments/{rec(w, 'confirmed')}/", page=True, without_status=404),
    Case("assessment-edit", "get", lambda w: f"/assessments/{rec(w, 'draft')}/edit/", page=True, without="centre0"),
    Case("assessment-edit", "post", lambda w: f"/assessments/{rec(w, 'draft')}/edit/", page=True,
         data=lambda w: {**form_body(w), "reason": "first"}, label="save", ok=302, without="centre0",
         location=lambda w: reverse("assessment-edit", args=[rec(w, "draft")])),
    Case("assessment-confirm", "post", lambda w: f"/assessments/{rec(w, 'submitted')}/confirm/", page=True, ok=302,
         right="medical0", without="street0", other="medical1", location=detail_of("submitted")),
    Case("assessment-return", "post", lambda w: f"/assessments/{rec(w, 'submitted')}/return/", page=True,
         data=lambda w: {"reason": "矩阵退回"}, ok=302, right="medical0", without="street0", other="medical1",
         location=detail_of("submitted")),
    Case("assessment-correct", "post", lambda w: f"/assessments/{rec(w, 'confirmed')}/correct/", page=True,
         data=lambda w: {"note": "矩阵更正"}, ok=302, without="centre0", location=correction_location),
    Case("assessment-report", "get", lambda w: f"/assessments/{rec(w, 'confirmed')}/report.pdf", page=True,
         without_status=404),
]  # fmt: skip


@pytest.fixture
def matrix_world(world: World) -> World:
    """The shared world with records of elder0 in every state, one confirmed lapsing record of
    street 1, street 1 granted every assessment right, and a second district with its officer and
    a policy version of district A."""
    from yiyang.accounts.choices import Role
    from yiyang.accounts.models import User
    from yiyang.areas.models import Area
    from yiyang.core.testing import PASSWORD

    grant(world.users["street1"], *EVERY_RIGHT)
    world.records = {  # type: ignore[attr-defined]
        "draft": draft(world, answers=gbt_answers(2)),
        "submitted": submitted(world, elder="resident0"),
        "confirmed": confirmed(world, assessed_on=days_ago(350)),
        "street1": confirmed(world, assessor="street1", elder="elder1", reviewer="medical1", assessed_on=days_ago(350)),
    }
    district_b = Area.objects.create(code="350203", name="乙区", level="district")
    world.users["bureau_b"] = User.objects.create_user(
        username="bureau_b",
        password=PASSWORD,
        role=Role.BUREAU_OFFICER,
        area=district_b,
    )
    PolicyVersion.objects.create(
        scale=LTC,
        district=world.district,
        data={"combination": TABLE, "source": "矩阵区级政策", "verified": False},
        source="矩阵区级政策",
        effective_from=date(2025, 1, 1),
        fingerprint="0" * 64,
        loaded_by=world.users["bureau"],
    )
    return world


def call(case: Case, world: World, username: str | None) -> Any:
    user = world.users[username] if username else None
    client: Any = page_client(user) if case.page else api_client(user)
    data = case.data(world) if case.data else None
    kwargs = {"format": "json"} if not case.page and data is not None else {}
    return getattr(client, case.method)(case.path(world), data, **kwargs)


def is_write(case: Case) -> bool:
    return case.method != "get" and case.url_name != "api-assessment-score"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_refused(matrix_world, case):
    before = snapshot()
    response = call(case, matrix_world, None)
    if case.page:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == 401
        assert response.json()["status"] == 401
    assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_other_jurisdiction_reaches_nothing_of_street0(matrix_world, case):
    before = snapshot()
    response = call(case, matrix_world, case.other)
    assert response.status_code == case.other_status, response.content[:500]
    if case.other_check is not None:
        case.other_check(matrix_world, response)
    if is_write(case) and case.other_status >= 400:
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
    response = call(case, matrix_world, case.right)
    assert response.status_code == case.ok, response.content[:500]
    if case.page and case.ok == 302:
        assert case.location is not None
        assert response["Location"] == case.location(matrix_world)


def test_only_a_qualified_assessor_can_submit(matrix_world):
    """An account holding assessments.create without the qualification is refused (403) even for a
    draft it would otherwise own; the qualified assessor succeeds."""
    record = matrix_world.records["draft"]
    assessor = matrix_world.users["street0"]
    assessor.is_assessor = False
    assessor.save(update_fields=["is_assessor"])
    before = snapshot()
    assert api_client(assessor).post(f"/api/v1/assessments/{record.public_id}/submit/").status_code == 403
    assert snapshot() == before
    assessor.is_assessor = True
    assessor.save(update_fields=["is_assessor"])
    assert api_client(assessor).post(f"/api/v1/assessments/{record.public_id}/submit/").status_code == 200


def test_the_assessor_cannot_confirm_even_holding_the_review_right(matrix_world):
    record = submitted(matrix_world, assessor="medical0", elder="elder0")
    before = snapshot()
    assert (
        api_client(matrix_world.users["medical0"]).post(f"/api/v1/assessments/{record.public_id}/confirm/").status_code
        == 403
    )
    response = page_client(matrix_world.users["medical0"]).post(f"/assessments/{record.public_id}/confirm/")
    assert response.status_code == 403
    assert snapshot() == before
    assert (
        api_client(matrix_world.users["health_officer"])
        .post(f"/api/v1/assessments/{record.public_id}/confirm/")
        .status_code
        == 200
    )


def test_every_url_of_the_app_is_in_the_matrix():
    from yiyang.assessments.api.urls import urlpatterns as api_patterns
    from yiyang.assessments.web.urls import urlpatterns as web_patterns

    names = {p.name for p in [*api_patterns, *web_patterns]}
    assert names == {case.url_name for case in CASES}
    assert all(name.startswith("api-") for name in (p.name for p in api_patterns))


@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_body(matrix_world, case):
    assert_permission_before_body(call, case, matrix_world)


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_query(matrix_world, case):
    assert_permission_before_query(call, case, matrix_world)
