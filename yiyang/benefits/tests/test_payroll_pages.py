"""The payroll pages and API: totals, explained lines with marks, masking, filters, lock, compute
errors under their field, budgets; every answer as the schema documents it."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.test_api_schema import SchemaCheck, _openapi
from yiyang.audit.models import AuditEvent
from yiyang.benefits.models import Budget, PayrollLine
from yiyang.benefits.tests.payroll_ui_world import payroll_ui_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return payroll_ui_world()


def page(world, path, user="bureau", **headers):
    client = Client()
    client.force_login(world.users[user])
    response = client.get(path, **headers)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def by_testid(html, name):
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(rf'data-testid="{name}"[^>]*>(.*?)</', html, re.S)]


def test_the_run_page_shows_bank_and_net_totals_marks_and_masked_accounts(world):
    html = page(world, f"/benefits/payroll/{world.november.public_id}/")
    assert by_testid(html, "net-total") == ["4,241.94"]
    assert by_testid(html, "bank-total") == ["4,500.00"]
    assert by_testid(html, "recoveries-total") == ["-258.06"]
    assert by_testid(html, "line-amount") == ["1,000.00", "400.00", "3,000.00", "100.00", "-258.06"]
    assert by_testid(html, "line-account") == ["6222********0001"] * 5
    assert "6222020000000001" not in html
    # Every parameter used, value and mark side by side (all shipped values here are examples).
    assert html.count('data-testid="parameter-row"') == 3
    assert by_testid(html, "parameter-mark") == ["示例值"] * 5  # 1 + 1 + 0 (instalment) + 2 + 1
    assert "更正 2026-10：原已发 900.00 元，按现有事实应发 641.94 元，本次追回 258.06 元。" in html
    assert (
        "2026-10-16 至 2026-10-31，共 16 天：家庭经济状况普通，能力等级 2 级（能力中度受损），月标准 400.00 元"
        "（参数 benefits.resident_care_subsidy.monthly.ordinary.level_2，benefits/resident_care_subsidy.yaml，"
        "自 2024-01-01 起，示例值）。"
    ) in html
    assert 'data-testid="run-draft"' in html and 'data-testid="lock-link"' in html
    assert 'data-testid="bank-file-link"' not in html  # only once locked
    shown = AuditEvent.objects.get(entity_type="payroll_line", actor=world.users["bureau"])
    assert shown.record_ids == [
        str(pk) for pk in PayrollLine.objects.filter(run=world.november).values_list("pk", flat=True)
    ]
    assert (
        AuditEvent.objects.filter(
            entity_type="payroll_run", action="view", entity_id=str(world.november.public_id)
        ).count()
        == 1
    )


def test_a_reader_without_the_payroll_right_gets_no_buttons(world):
    html = page(world, f"/benefits/payroll/{world.november.public_id}/", user="bureau_reader")
    for button in ("lock-link", "workbook-link", "bank-file-link"):
        assert f'data-testid="{button}"' not in html
    assert 'data-testid="compute-form"' not in page(world, "/benefits/payroll/", user="bureau_reader")


def test_lines_filter_by_kind_and_name_and_answer_the_table_alone_to_htmx(world):
    path = f"/benefits/payroll/{world.november.public_id}/"
    assert by_testid(page(world, path + "?kind=recovery"), "line-amount") == ["-258.06"]
    assert by_testid(page(world, path + "?q=resident0"), "line-amount") == ["1,000.00", "100.00"]
    assert by_testid(page(world, path + "?scheme=startup_subsidy"), "line-amount") == ["3,000.00"]
    partial = page(world, path + "?kind=arrears", HTTP_HX_REQUEST="true")
    assert partial.startswith('<div id="line-table">') and by_testid(partial, "line-amount") == ["100.00"]


def test_locking_from_the_page_makes_the_run_final(world):
    client = Client()
    client.force_login(world.users["bureau"])
    path = f"/benefits/payroll/{world.november.public_id}/"
    assert client.post(path + "lock/").status_code == 302
    html = page(world, path)
    assert by_testid(html, "run-final")[0].startswith("已锁定，为最终版本（bureau，")
    assert 'data-testid="lock-link"' not in html and 'data-testid="bank-file-link"' in html
    again = client.post(path + "lock/")
    assert again.status_code == 400
    assert by_testid(again.content.decode(), "lock-errors") == ["该月发放表已锁定"]


def test_computing_a_locked_month_shows_the_reason_under_the_month(world):
    client = Client()
    client.force_login(world.users["bureau"])
    response = client.post("/benefits/payroll/", {"month": "2026-10"})
    assert response.status_code == 400
    assert by_testid(response.content.decode(), "error-month") == ["该月发放表已锁定，不能重新计算"]
    bad = client.post("/benefits/payroll/", {"month": "october"})
    assert by_testid(bad.content.decode(), "error-month") == ["月份应为 YYYY-MM，例如 2026-11"]


def test_the_list_shows_each_run_with_who_computed_and_locked_it(world):
    html = page(world, "/benefits/payroll/")
    assert by_testid(html, "run-total") == ["4,241.94", "1,800.00"]
    assert by_testid(html, "run-count") == ["共 2 张发放表"]
    assert by_testid(page(world, "/benefits/payroll/?status=locked"), "run-total") == ["1,800.00"]


def test_the_budget_page_sets_a_budget_and_shows_the_ledger(world):
    client = Client()
    client.force_login(world.users["bureau"])
    bad = client.post("/benefits/budget/", {"year": "2026", "scheme": "", "amount": "-5"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert by_testid(html, "error-scheme") == ["未知的补贴项目"]
    assert by_testid(html, "error-amount") == ["预算金额应在 0 至 999,999,999,999.99 元之间"]
    ok = client.post("/benefits/budget/", {"year": "2026", "scheme": "resident_care_subsidy", "amount": "10000"})
    assert ok.status_code == 302 and Budget.objects.get().amount == 10000
    html = page(world, "/benefits/budget/?year=2026")
    row = re.search(r'data-testid="ledger-row-resident_care_subsidy">(.*?)</tr>', html, re.S).group(1)
    assert by_testid(row, "budget") == ["10,000.00"]
    assert by_testid(row, "committed") == ["4,841.94"]
    assert by_testid(row, "remaining") == ["5,158.06"]


def test_the_api_lists_masked_lines_with_explanations_and_answers_as_documented(world):
    client = APIClient()
    client.force_authenticate(world.users["bureau"])
    lines = client.get(f"/api/v1/benefits/payroll/runs/{world.november.public_id}/lines/?kind=arrears").json()
    assert lines["count"] == 1
    line = lines["results"][0]
    assert (line["amount"], line["for_month"], line["payee_account_masked"]) == (
        "100.00",
        "2026-10",
        "6222********0001",
    )
    assert line["explanation"]["parameters"][0]["mark"] == "示例值"
    detail = client.get(f"/api/v1/benefits/payroll/runs/{world.november.public_id}/").json()
    assert (detail["totals"]["net"], detail["totals"]["bank_total"], detail["totals"]["recoveries_total"]) == (
        "4241.94",
        "4500.00",
        "-258.06",
    )
    created = client.post(
        "/api/v1/benefits/budgets/", {"scheme": "training_subsidy", "year": 2026, "amount": "5000"}, format="json"
    )
    assert created.status_code == 201 and created.json()["amount"] == "5000.00"
    bad = client.post("/api/v1/benefits/payroll/runs/", {"month": "2026-10"}, format="json")
    assert bad.status_code == 400 and [(e["field"], e["code"]) for e in bad.json()["errors"]] == [("month", "locked")]
    check = SchemaCheck(client, _openapi())
    run = f"/api/v1/benefits/payroll/runs/{world.november.public_id}/"
    for template, path in (
        ("/api/v1/benefits/payroll/runs/", "/api/v1/benefits/payroll/runs/"),
        ("/api/v1/benefits/payroll/runs/{public_id}/", run),
        ("/api/v1/benefits/payroll/runs/{public_id}/lines/", run + "lines/"),
        ("/api/v1/benefits/payroll/runs/{public_id}/lines/", run + "lines/?kind=perhaps"),
        ("/api/v1/benefits/payroll/runs/{public_id}/workbook/", run + "workbook/"),
        ("/api/v1/benefits/payroll/runs/{public_id}/bank-file/", run + "bank-file/"),
        (
            "/api/v1/benefits/payroll/runs/{public_id}/bank-file/",
            f"/api/v1/benefits/payroll/runs/{world.october.public_id}/bank-file/",
        ),
        ("/api/v1/benefits/payroll/runs/{public_id}/", "/api/v1/benefits/payroll/runs/not-a-uuid/"),
        ("/api/v1/benefits/budgets/", "/api/v1/benefits/budgets/?year=2026"),
        ("/api/v1/benefits/ledger/", "/api/v1/benefits/ledger/?year=2026"),
        ("/api/v1/benefits/ledger/", "/api/v1/benefits/ledger/?year=1900"),
    ):
        check.get(template, path)
    assert check.problems == []


def test_an_account_over_several_districts_must_name_the_district(world):
    from yiyang.accounts.models import User

    admin = User.objects.create_superuser(username="root", password="Test-pass-123")
    client = Client()
    client.force_login(admin)
    response = client.post("/benefits/payroll/", {"month": "2026-11"})
    assert response.status_code == 400
    assert by_testid(response.content.decode(), "error-district") == ["请选择区"]
    api = APIClient()
    api.force_authenticate(admin)
    refused = api.post("/api/v1/benefits/payroll/runs/", {"month": "2026-11"}, format="json")
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("district", "required")]
    listed = api.get("/api/v1/benefits/payroll/runs/").json()
    assert [(r["district"]["name"], r["month"]) for r in listed["results"]] == [
        ("测试区", "2026-11"),
        ("测试区", "2026-10"),
    ]
    named = client.post("/benefits/payroll/", {"month": "2026-11", "district": str(world.district.public_id)})
    assert named.status_code == 302
