"""Every API endpoint and page of the benefits app, asked by four kinds of caller.

Anonymous; someone of the other jurisdiction (street 1, a family member of another elder, or the
officer of another district); someone of the same jurisdiction without the right (no benefits
rights at all, or `benefits.view` without the right the action needs); someone with it. Records out
of reach answer 404, never 403, and lists hold nothing of street 0.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from yiyang.benefits.models import Application, Attachment, Entitlement
from yiyang.benefits.services import attachment_add
from yiyang.benefits.tests.support import PAYEE, PDF, approved, startup_submitted, street_approved, submitted
from yiyang.core.testing import World, assert_permission_before_body, assert_permission_before_query, grant_permissions


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
    without: str = "street0_noright"
    without_status: int = 403
    other: str = "street1"
    other_status: int = 404
    other_check: Callable[[World, Any], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def rec(w: World, key: str) -> str:
    return str(w.records[key].public_id)  # type: ignore[attr-defined]


def empty_api_list(w: World, response: Any) -> None:
    assert response.json()["count"] == 0, response.json()


def no_street0_rows(w: World, response: Any) -> None:
    text = response.content.decode()
    assert 'data-testid="benefit-row"' not in text
    for key in ("submitted", "street_approved", "approved"):
        assert rec(w, key) not in text


def create_body(w: World) -> dict[str, Any]:
    return {
        "scheme": "startup_subsidy",
        "organisation": str(w.orgs["centre0"].public_id),
        "facts": {"approved_beds": 60, "premises": "own_building"},
        "requested_from": "2026-11-01",
        **PAYEE,
    }


def form_body(w: World) -> dict[str, Any]:
    return {
        "scheme": "startup_subsidy",
        "organisation": str(w.orgs["centre0"].public_id),
        "fact_approved_beds": "60",
        "fact_premises": "own_building",
        "requested_from": "2026-11-01",
        **PAYEE,
    }


def no_street0_organisations(w: World, response: Any) -> None:
    text = response.content.decode()
    assert "centre0机构" not in text and "institution0机构" not in text
    assert "centre1机构" in text


def upload(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")}


def entitlement(w: World) -> str:
    return str(Entitlement.objects.get(application=w.records["approved"]).public_id)  # type: ignore[attr-defined]


def attachment(w: World) -> str:
    return str(Attachment.objects.get(application=w.records["submitted"]).public_id)  # type: ignore[attr-defined]


def import_file(w: World) -> dict[str, Any]:
    """A one-row application file for centre0's start-up subsidy (centre0 given a credit code)."""
    import io

    from openpyxl import Workbook

    from yiyang.benefits.services.application_import import import_headers

    centre = w.orgs["centre0"]
    centre.credit_code = "52350206MJ0000009X"
    centre.save(update_fields=["credit_code"])
    row = {
        "补贴项目": "一次性开办补助", "机构统一社会信用代码": centre.credit_code, "申请享受起始日期": "2026-11-01",
        "核定床位（张）": 60, "用房性质": "自建用房", "收款人": PAYEE["payee_name"],
        "收款账号": PAYEE["payee_account"], "开户行": PAYEE["payee_bank"],
    }  # fmt: skip
    wb = Workbook()
    wb.active.append(import_headers())
    wb.active.append([row.get(h, "") for h in import_headers()])
    buffer = io.BytesIO()
    wb.save(buffer)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return {"file": SimpleUploadedFile("申请.xlsx", buffer.getvalue(), content_type=xlsx)}


APPS = "/api/v1/benefits/applications"
ENTS = "/api/v1/benefits/entitlements"

CASES: list[Case] = [
    # API: applications
    Case("api-benefit-application-list", "get", lambda w: f"{APPS}/", other_status=200, other_check=empty_api_list),
    Case("api-benefit-application-list", "post", lambda w: f"{APPS}/", data=create_body, label="submit", ok=201,
         without="street0_readonly", other_status=400),
    Case("api-benefit-application-detail", "get", lambda w: f"{APPS}/{rec(w, 'submitted')}/", without_status=404),
    Case("api-benefit-application-review", "post", lambda w: f"{APPS}/{rec(w, 'submitted')}/review/",
         data=lambda w: {"decision": "approve", "note": "齐全"}, without="street0_readonly"),
    Case("api-benefit-application-decide", "post", lambda w: f"{APPS}/{rec(w, 'street_approved')}/decide/",
         data=lambda w: {"decision": "approve"}, right="bureau", without="street0", other="bureau_b"),
    Case("api-benefit-application-withdraw", "post", lambda w: f"{APPS}/{rec(w, 'submitted')}/withdraw/",
         right="family0", without="street0_readonly", other="family1"),
    Case("api-benefit-attachment-upload", "post", lambda w: f"{APPS}/{rec(w, 'submitted')}/attachments/",
         data=upload, multipart=True, right="family0", ok=201, without="street0_readonly"),
    Case("api-benefit-attachment-download", "get",
         lambda w: f"{APPS}/{rec(w, 'submitted')}/attachments/{attachment(w)}/", without_status=404),
    Case("api-benefit-application-import", "post", lambda w: f"{APPS}/import/", data=import_file, multipart=True,
         ok=201, other_status=400),
    Case("api-benefit-application-import-template", "get", lambda w: f"{APPS}/import/template/", other_status=200),
    # API: entitlements
    Case("api-benefit-entitlement-list", "get", lambda w: f"{ENTS}/", other_status=200, other_check=empty_api_list),
    Case("api-benefit-entitlement-detail", "get", lambda w: f"{ENTS}/{entitlement(w)}/", without_status=404),
    Case("api-benefit-entitlement-end", "post", lambda w: f"{ENTS}/{entitlement(w)}/end/",
         data=lambda w: {"reason": "机构注销"}, right="bureau", without="street0", other="bureau_b"),
    # pages
    Case("benefit-application-list", "get", lambda w: "/benefits/applications/", page=True, other_status=200,
         other_check=no_street0_rows),
    Case("benefit-application-create", "get", lambda w: "/benefits/applications/new/?scheme=startup_subsidy",
         page=True, without="street0_readonly", other_status=200, other_check=no_street0_organisations),
    Case("benefit-application-create", "post", lambda w: "/benefits/applications/new/?scheme=startup_subsidy",
         page=True, data=form_body, label="submit", ok=302, without="street0_readonly", other_status=400),
    Case("benefit-application-import", "get", lambda w: "/benefits/applications/import/", page=True,
         other_status=200),
    Case("benefit-application-import", "post", lambda w: "/benefits/applications/import/", page=True,
         data=import_file, label="upload", ok=302, other_status=400),
    Case("benefit-application-import-template", "get", lambda w: "/benefits/applications/import/template/",
         page=True, other_status=200),
    Case("benefit-application-detail", "get", lambda w: f"/benefits/applications/{rec(w, 'submitted')}/", page=True,
         without_status=404),
    Case("benefit-application-review", "post", lambda w: f"/benefits/applications/{rec(w, 'submitted')}/review/",
         page=True, data=lambda w: {"decision": "approve"}, ok=302, without="street0_readonly"),
    Case("benefit-application-decide", "post",
         lambda w: f"/benefits/applications/{rec(w, 'street_approved')}/decide/", page=True,
         data=lambda w: {"decision": "approve"}, ok=302, right="bureau", without="street0", other="bureau_b"),
    Case("benefit-application-withdraw", "post", lambda w: f"/benefits/applications/{rec(w, 'submitted')}/withdraw/",
         page=True, ok=302, right="family0", without="street0_readonly", other="family1"),
    Case("benefit-attachment-upload", "post", lambda w: f"/benefits/applications/{rec(w, 'submitted')}/attachments/",
         page=True, data=upload, ok=302, right="family0", without="street0_readonly"),
    Case("benefit-attachment-download", "get",
         lambda w: f"/benefits/applications/{rec(w, 'submitted')}/attachments/{attachment(w)}/", page=True,
         without_status=404),
    Case("benefit-entitlement-list", "get", lambda w: "/benefits/entitlements/", page=True, other_status=200,
         other_check=no_street0_rows),
    Case("benefit-entitlement-detail", "get", lambda w: f"/benefits/entitlements/{entitlement(w)}/", page=True,
         without_status=404),
    Case("benefit-entitlement-end", "post", lambda w: f"/benefits/entitlements/{entitlement(w)}/end/", page=True,
         data=lambda w: {"reason": "机构注销"}, ok=302, right="bureau", without="street0", other="bureau_b"),
]  # fmt: skip


@pytest.fixture
def matrix_world(world: World) -> World:
    """The shared world with a submitted resident application of elder0 (by family0, with a PDF), a
    street-approved and an approved start-up application of institution0, street 0's read-only
    account granted `benefits.view`, and a second district with its officer."""
    from yiyang.accounts.choices import Role
    from yiyang.accounts.models import User
    from yiyang.areas.models import Area
    from yiyang.core.testing import PASSWORD

    grant_permissions(world.users["street0_readonly"], "benefits.view")
    application = submitted(world)
    attachment_add(actor=world.users["family0"], application=application, name="户籍证明.pdf", content=PDF)
    world.records = {  # type: ignore[attr-defined]
        "submitted": application,
        "street_approved": street_approved(world, startup_submitted(world)),
        "approved": approved(world, startup_submitted(world)),
    }
    district_b = Area.objects.create(code="350203", name="乙区", level="district")
    world.users["bureau_b"] = User.objects.create_user(
        username="bureau_b", password=PASSWORD, role=Role.BUREAU_OFFICER, area=district_b
    )
    return world


def snapshot() -> tuple[Any, ...]:
    return (
        list(Application.objects.order_by("id").values_list("id", "status")),
        list(Entitlement.objects.order_by("id").values_list("id", "status")),
        Attachment.objects.count(),
    )


def call(case: Case, world: World, username: str | None) -> Any:
    client: Any
    if case.page:
        client = Client()
        if username:
            client.force_login(world.users[username])
    else:
        client = APIClient()
        if username:
            client.force_authenticate(world.users[username])
    data = case.data(world) if case.data else None
    kwargs: dict[str, Any] = {}
    if not case.page and data is not None:
        kwargs = {"format": "multipart" if case.multipart else "json"}
    return getattr(client, case.method)(case.path(world), data, **kwargs)


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
    if case.method != "get" and case.other_status >= 400:
        assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_same_jurisdiction_without_the_right_is_refused(matrix_world, case):
    before = snapshot()
    response = call(case, matrix_world, case.without)
    assert response.status_code == case.without_status, response.content[:500]
    assert snapshot() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_right_it_succeeds(matrix_world, case):
    response = call(case, matrix_world, case.right)
    assert response.status_code == case.ok, response.content[:500]


def test_every_url_of_the_app_is_in_the_matrix():
    from yiyang.benefits.api.urls import urlpatterns as api_patterns
    from yiyang.benefits.web.urls import urlpatterns as web_patterns

    names = {p.name for p in [*api_patterns, *web_patterns]}
    assert names == {case.url_name for case in CASES}
    assert all(name.startswith("api-") for name in (p.name for p in api_patterns))


@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_body(matrix_world, case):
    assert_permission_before_body(call, case, matrix_world)


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_query(matrix_world, case):
    assert_permission_before_query(call, case, matrix_world)
