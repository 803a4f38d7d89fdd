"""Every payroll, export and budget page and endpoint, asked by four kinds of caller.

Anonymous; the officer of another district (every right, so only the reach stops them); an officer
of the same district without the right (`bureau_noright` holds no benefits right: reads are refused;
`bureau_reader` holds `benefits.view` only: compute, lock, files and budgets are refused); an
officer with it. A run of another district answers 404, never 403; lists and ledgers show nothing of
the other district.
"""

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.benefits.tests.payroll_ui_world import payroll_ui_world
from yiyang.core.testing import World, assert_permission_before_body, assert_permission_before_query

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    path: Callable[[Any], str]
    data: Callable[[Any], dict[str, Any]] | None = None
    page: bool = False
    right: str = "bureau"
    ok: int = 200
    ok_check: Callable[[Any, Any], None] | None = None
    without: str = "bureau_reader"
    without_status: int = 403
    other: str = "bureau_b"
    other_status: int = 404
    other_check: Callable[[Any, Any], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.url_name}{'[' + self.label + ']' if self.label else ''}"


def nov(w: Any) -> str:
    return str(w.november.public_id)


def oct_(w: Any) -> str:
    return str(w.october.public_id)


def district(w: Any) -> str:
    return str(w.district.public_id)


def api_count(expected: int) -> Callable[[Any, Any], None]:
    def check(w: Any, response: Any) -> None:
        assert response.json()["count"] == expected, response.json()

    return check


def page_has(*present: str, absent: tuple[str, ...] = ()) -> Callable[[Any, Any], None]:
    def check(w: Any, response: Any) -> None:
        text = response.content.decode()
        for needle in present:
            assert needle in text, needle
        for needle in absent:
            assert needle not in text, needle

    return check


def redirects_to(path: Callable[[Any], str]) -> Callable[[Any, Any], None]:
    def check(w: Any, response: Any) -> None:
        assert response["Location"] == path(w)

    return check


def workbook_sheets(w: Any, response: Any) -> None:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["汇总", "明细", "追回明细", "所用参数"]


def bank_file(w: Any, response: Any) -> None:
    assert response.content.decode("utf-8-sig").splitlines() == [
        "账号,户名,金额",
        "6222020000000001,收款人,900.00",
        "6222020000000001,收款人,900.00",
    ]


def empty_ledger_of_other_district(w: Any, response: Any) -> None:
    body = response.json()
    assert body["district"]["name"] == "乙区"
    assert (body["total"]["paid"], body["total"]["computed"]) == ("0.00", "0.00")


PAYROLL_TYPES = ("payroll_run", "payroll_line", "benefit_budget")
compute = lambda w: {"month": "2026-11", "district": district(w)}  # noqa: E731
budget = lambda w: {"scheme": "resident_care_subsidy", "year": 2026, "amount": "120000.00", "district": district(w)}  # noqa: E731

CASES: list[Case] = [
    # API
    Case("api-benefits-payroll-runs", "get", lambda w: "/api/v1/benefits/payroll/runs/", without="bureau_noright",
         ok_check=api_count(2), other_status=200, other_check=api_count(0)),
    Case("api-benefits-payroll-runs", "post", lambda w: "/api/v1/benefits/payroll/runs/", data=compute, ok=201,
         label="compute"),
    Case("api-benefits-payroll-run", "get", lambda w: f"/api/v1/benefits/payroll/runs/{nov(w)}/",
         without="bureau_noright", without_status=404),
    Case("api-benefits-payroll-lines", "get", lambda w: f"/api/v1/benefits/payroll/runs/{nov(w)}/lines/",
         without="bureau_noright", without_status=404, ok_check=api_count(5)),
    Case("api-benefits-payroll-lock", "post", lambda w: f"/api/v1/benefits/payroll/runs/{nov(w)}/lock/"),
    Case("api-benefits-payroll-workbook", "get", lambda w: f"/api/v1/benefits/payroll/runs/{nov(w)}/workbook/",
         ok_check=workbook_sheets),
    Case("api-benefits-payroll-bank-file", "get", lambda w: f"/api/v1/benefits/payroll/runs/{oct_(w)}/bank-file/",
         ok_check=bank_file),
    Case("api-benefits-budgets", "get", lambda w: "/api/v1/benefits/budgets/", without="bureau_noright",
         other_status=200, other_check=api_count(0)),
    Case("api-benefits-budgets", "post", lambda w: "/api/v1/benefits/budgets/", data=budget, ok=201, label="set"),
    Case("api-benefits-ledger", "get", lambda w: f"/api/v1/benefits/ledger/?year=2026&district={district(w)}",
         without="bureau_noright"),
    Case("api-benefits-ledger", "get", lambda w: "/api/v1/benefits/ledger/?year=2026", without="bureau_noright",
         other_status=200, other_check=empty_ledger_of_other_district, label="own district"),
    # Pages
    Case("benefits-payroll", "get", lambda w: "/benefits/payroll/", page=True, without="bureau_noright",
         other_status=200, other_check=page_has("共 0 张发放表", absent=("2026-11",))),
    Case("benefits-payroll", "post", lambda w: "/benefits/payroll/", data=compute, page=True, ok=302,
         ok_check=redirects_to(lambda w: f"/benefits/payroll/{nov(w)}/"), label="compute"),
    Case("benefits-payroll-run", "get", lambda w: f"/benefits/payroll/{nov(w)}/", page=True,
         without="bureau_noright", without_status=404, ok_check=page_has("6222********0001", absent=("6222020000000001",))),
    Case("benefits-payroll-lock", "get", lambda w: f"/benefits/payroll/{nov(w)}/lock/", page=True),
    Case("benefits-payroll-lock", "post", lambda w: f"/benefits/payroll/{nov(w)}/lock/", data=lambda w: {},
         page=True, ok=302, ok_check=redirects_to(lambda w: f"/benefits/payroll/{nov(w)}/"), label="lock"),
    Case("benefits-payroll-workbook", "get", lambda w: f"/benefits/payroll/{nov(w)}/workbook/", page=True,
         ok_check=workbook_sheets),
    Case("benefits-payroll-bank-file", "get", lambda w: f"/benefits/payroll/{oct_(w)}/bank-file/", page=True,
         ok_check=bank_file),
    Case("benefits-budget", "get", lambda w: "/benefits/budget/?year=2026", page=True, without="bureau_noright",
         other_status=200, other_check=page_has("乙区 2026 年补贴预算与台账", absent=("测试区",))),
    Case("benefits-budget", "get", lambda w: f"/benefits/budget/?year=2026&district={district(w)}", page=True,
         without="bureau_noright", label="named district"),
    Case("benefits-budget", "post", lambda w: "/benefits/budget/", data=budget, page=True, ok=302, label="set",
         ok_check=redirects_to(lambda w: f"/benefits/budget/?year=2026&district={district(w)}")),
]  # fmt: skip


@pytest.fixture
def matrix_world() -> Any:
    return payroll_ui_world()


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
    kwargs = {"format": "json"} if not case.page and data is not None else {}
    return getattr(client, case.method)(case.path(world), data, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_anonymous_is_refused(matrix_world, case):
    response = call(case, matrix_world, None)
    if case.page:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    else:
        assert response.status_code == 401
        assert response.json()["status"] == 401


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_another_district_reaches_nothing(matrix_world, case):
    response = call(case, matrix_world, case.other)
    assert response.status_code == case.other_status, response.content[:500]
    if case.other_check is not None:
        case.other_check(matrix_world, response)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_same_district_without_the_right_is_refused(matrix_world, case):
    response = call(case, matrix_world, case.without)
    assert response.status_code == case.without_status, response.content[:500]
    # A refused call records no view, export or change of the payroll (only the refusal itself).
    assert not AuditEvent.objects.filter(entity_type__in=PAYROLL_TYPES, actor=matrix_world.users[case.without]).exists()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_right_it_succeeds(matrix_world, case):
    response = call(case, matrix_world, case.right)
    assert response.status_code == case.ok, response.content[:500]
    if case.ok_check is not None:
        case.ok_check(matrix_world, response)


@pytest.mark.parametrize("case", [c for c in CASES if c.method != "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_body(matrix_world, case):
    assert_permission_before_body(call, case, matrix_world)


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.id)
def test_the_permission_is_checked_before_the_query(matrix_world, case):
    assert_permission_before_query(call, dataclasses.replace(case), matrix_world)
