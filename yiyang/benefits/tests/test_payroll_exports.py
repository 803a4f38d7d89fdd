"""The bank payment file, the workbook, budgets and the ledger of a payroll, and the command."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from yiyang.audit.models import AuditEvent
from yiyang.benefits.choices import PayrollStatus
from yiyang.benefits.models import Budget, PayrollLine, PayrollRun
from yiyang.benefits.payroll_access import DistrictNotFound
from yiyang.benefits.payroll_selectors import budget_ledger, payroll_run_totals
from yiyang.benefits.services.budgets import budget_set
from yiyang.benefits.services.payroll import payroll_lock
from yiyang.benefits.services.payroll_exports import payroll_payment_file, payroll_workbook
from yiyang.benefits.tests.payroll_ui_world import NOV_BANK, NOV_NET, NOV_RECOVERIES, payroll_ui_world
from yiyang.core.errors import Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")


@pytest.fixture
def world():
    return payroll_ui_world()


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# --- bank payment file --------------------------------------------------------------------------------


def test_the_payment_file_total_equals_the_payable_total_of_the_payroll_to_the_fen(world):
    bureau = world.users["bureau"]
    run = payroll_lock(actor=bureau, run=world.november)
    payment = payroll_payment_file(actor=bureau, run=run)
    rows = csv_rows(payment.content)
    assert rows == [
        ["账号", "户名", "金额"],
        ["6222020000000001", "收款人", "1000.00"],
        ["6222020000000001", "收款人", "400.00"],
        ["6222020000000001", "收款人", "3000.00"],
        ["6222020000000001", "收款人", "100.00"],
    ]
    file_total = sum((Decimal(amount) for _a, _n, amount in rows[1:]), ZERO)
    payable = sum(PayrollLine.objects.filter(run=run, amount__gt=0).values_list("amount", flat=True), ZERO)
    totals = payroll_run_totals(run=run)
    assert file_total == payable == payment.total == totals.bank_total == NOV_BANK
    # The recovery stays out of the bank file; net = bank total + recoveries = the run's total.
    assert (totals.recoveries_total, totals.recoveries_count) == (NOV_RECOVERIES, 1)
    assert run.total == totals.net == NOV_NET == file_total + NOV_RECOVERIES
    assert payment.filename == "银行代发_350206_2026-11.csv"
    event = AuditEvent.objects.get(entity_type="payroll_run", action="export")
    assert (event.entity_id, event.summary, event.actor) == (
        str(run.public_id),
        "导出银行代发文件（4笔，合计4500.00元）",
        bureau,
    )


def test_the_payment_file_is_made_only_for_a_locked_run_and_only_with_the_payroll_right(world):
    with pytest.raises(ValidationFailed) as refused:
        payroll_payment_file(actor=world.users["bureau"], run=world.november)
    assert [(e.field, e.code) for e in refused.value.errors] == [("status", "not_locked")]
    with pytest.raises(Forbidden):
        payroll_payment_file(actor=world.users["bureau_reader"], run=world.october)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_payee_name_a_spreadsheet_would_evaluate_is_written_as_text(world):
    PayrollLine.objects.filter(run=world.october).update(payee_name="=HYPERLINK(1)")
    payment = payroll_payment_file(actor=world.users["bureau"], run=world.october)
    assert [row[1] for row in csv_rows(payment.content)[1:]] == ["'=HYPERLINK(1)", "'=HYPERLINK(1)"]


# --- workbook -----------------------------------------------------------------------------------------


def test_the_workbook_has_the_summary_the_explained_lines_the_recoveries_and_the_parameters(world):
    book = payroll_workbook(actor=world.users["bureau"], run=world.november)
    summary = {row[0]: (row[1], row[2]) for row in book.summary_rows}
    assert summary["状态"] == ("已计算，未锁定（非最终，可能重新计算）", "")
    assert summary["净额合计（元）"] == (NOV_NET, 5)
    assert summary["银行代发合计（元，正数笔）"] == (NOV_BANK, 4)
    assert summary["追回合计（元，负数笔，不进银行文件）"] == (NOV_RECOVERIES, 1)
    sheets = {sheet.title: list(sheet.rows) for sheet in book.sheets}
    assert [(row[2], row[3], row[4], row[6], row[8]) for row in sheets["明细"]] == [
        ("当月发放", "2026-11", "resident0老人", "6222********0001", Decimal("1000.00")),
        ("当月发放", "2026-11", "resident1老人", "6222********0001", Decimal("400.00")),
        ("一次性/分期发放", "2026-11", "institution0机构", "6222********0001", Decimal("3000.00")),
        ("补发", "2026-10", "resident0老人", "6222********0001", Decimal("100.00")),
        ("追回", "2026-10", "resident1老人", "6222********0001", Decimal("-258.06")),
    ]
    assert sheets["明细"][3][9].startswith(
        "更正 2026-10：原已发 900.00 元，按现有事实应发 1,000.00 元，本次补发 100.00 元。"
    )
    assert [(row[0], row[8]) for row in sheets["追回明细"]] == [(1, Decimal("-258.06"))]
    parameters = {row[0]: row for row in sheets["所用参数"]}
    tekun = parameters["benefits.resident_care_subsidy.monthly.tekun.level_2"]
    assert (tekun[2], tekun[4], tekun[5], tekun[6]) == (
        Decimal("1000"),
        "2024-01-01",
        "benefits/resident_care_subsidy.yaml",
        "示例值",
    )
    assert book.filename == "发放表_350206_2026-11.xlsx"
    event = AuditEvent.objects.get(entity_type="payroll_run", action="export")
    assert event.summary == "导出月度发放表（Excel，5笔，净额4241.94元）"


def test_the_workbook_download_opens_in_excel_with_amounts_as_numbers(world, client):
    client.force_login(world.users["bureau"])
    response = client.get(f"/benefits/payroll/{world.november.public_id}/workbook/")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    amounts = [row[8] for row in book["明细"].iter_rows(min_row=2, values_only=True)]
    assert amounts == [1000, 400, 3000, 100, -258.06]


# --- budgets and the ledger ---------------------------------------------------------------------------


def test_budget_set_reports_every_bad_field_at_once_and_never_takes_a_float(world):
    bureau = world.users["bureau"]
    with pytest.raises(ValidationFailed) as refused:
        budget_set(actor=bureau, district=world.district, scheme="pension", year=1999, amount="1.234")
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("scheme", "invalid_choice"),
        ("year", "invalid"),
        ("amount", "invalid"),
    ]
    for amount, code in ((0.1, "invalid"), ("-1", "out_of_range"), ("", "required"), ("abc", "invalid")):
        with pytest.raises(ValidationFailed) as bad:
            budget_set(actor=bureau, district=world.district, scheme="resident_care_subsidy", year=2026, amount=amount)
        assert [(e.field, e.code) for e in bad.value.errors] == [("amount", code)]
    assert not Budget.objects.exists()


def test_budget_set_creates_then_replaces_with_two_places_and_is_audited(world):
    bureau = world.users["bureau"]
    first = budget_set(actor=bureau, district=world.district, scheme="resident_care_subsidy", year=2026, amount="10000")
    again = budget_set(
        actor=bureau, district=world.district, scheme="resident_care_subsidy", year=2026, amount=Decimal("12000.5")
    )
    assert first.pk == again.pk and Budget.objects.get().amount == Decimal("12000.50")
    assert list(
        AuditEvent.objects.filter(entity_type="benefit_budget").order_by("id").values_list("action", "summary")
    ) == [("create", "设置年度预算"), ("change", "设置年度预算")]


def test_budget_set_needs_the_right_and_the_district_in_reach(world):
    with pytest.raises(Forbidden):
        budget_set(
            actor=world.users["bureau_reader"], district=world.district, scheme="training_subsidy", year=2026, amount=1
        )
    with pytest.raises(DistrictNotFound):
        budget_set(
            actor=world.users["bureau_b"], district=world.district, scheme="training_subsidy", year=2026, amount=1
        )


def row_of(ledger, scheme):
    return next(row for row in ledger.rows if row.scheme == scheme)


def test_the_ledger_reconciles_with_the_runs_before_and_after_the_lock(world):
    bureau = world.users["bureau"]
    budget_set(actor=bureau, district=world.district, scheme="resident_care_subsidy", year=2026, amount="10000")
    ledger = budget_ledger(district=world.district, year=2026)
    resident = row_of(ledger, "resident_care_subsidy")
    startup = row_of(ledger, "startup_subsidy")
    # October locked (2 × 900.00); November computed; projection: October's regular lines × December.
    assert resident.paid_by_month == [ZERO] * 9 + [Decimal("1800.00"), ZERO, ZERO]
    assert (resident.paid, resident.computed, resident.scheduled, resident.projected) == (
        Decimal("1800.00"),
        Decimal("1241.94"),
        ZERO,
        Decimal("1800.00"),
    )
    assert (resident.committed, resident.remaining) == (Decimal("4841.94"), Decimal("5158.06"))
    assert (startup.paid, startup.computed, startup.scheduled, startup.budget, startup.remaining) == (
        ZERO,
        Decimal("3000.00"),
        Decimal("1500.00"),
        None,
        None,
    )
    locked = PayrollRun.objects.filter(district=world.district, month__year=2026, status=PayrollStatus.LOCKED)
    assert ledger.total.paid == sum((r.total for r in locked), ZERO) == Decimal("1800.00")
    assert ledger.total.computed == world.november.total == NOV_NET
    assert (ledger.projection_basis, ledger.months_projected) == (date(2026, 10, 1), 1)

    payroll_lock(actor=bureau, run=world.november)
    after = budget_ledger(district=world.district, year=2026)
    resident = row_of(after, "resident_care_subsidy")
    assert resident.paid_by_month[9:11] == [Decimal("1800.00"), Decimal("1241.94")]
    assert (resident.paid, resident.computed, resident.projected) == (Decimal("3041.94"), ZERO, Decimal("1400.00"))
    assert after.total.paid == sum((r.total for r in locked.all()), ZERO) == Decimal("1800.00") + NOV_NET
    assert after.total.computed == ZERO
    assert row_of(after, "startup_subsidy").paid == Decimal("3000.00")
    assert after.total.committed == after.total.paid + after.total.scheduled + after.total.projected


def test_a_year_without_runs_projects_the_last_locked_month_over_twelve_months(world):
    payroll_lock(actor=world.users["bureau"], run=world.november)
    ledger = budget_ledger(district=world.district, year=2027)
    assert (ledger.projection_basis, ledger.months_projected) == (date(2026, 11, 1), 12)
    assert row_of(ledger, "resident_care_subsidy").projected == Decimal("1400.00") * 12
    assert ledger.total.paid == ZERO


# --- the command --------------------------------------------------------------------------------------


def test_the_command_computes_and_locks_as_the_districts_first_payroll_officer(world):
    out = io.StringIO()
    call_command("payroll", month="2026-11", district="350206", lock=True, stdout=out)
    assert out.getvalue().splitlines() == [
        "测试区（350206）2026-11 发放表：5 笔，合计 4241.94 元（银行代发 4500.00 元，追回 -258.06 元）；已锁定；计算人 bureau",
        "  一次性开办补助：1 笔，3000.00 元",
        "  入住机构养老服务补贴：4 笔，1241.94 元",
    ]
    run = PayrollRun.objects.get(district=world.district, month=date(2026, 11, 1))
    assert (run.status, run.computed_by, run.locked_by) == (
        PayrollStatus.LOCKED,
        world.users["bureau"],
        world.users["bureau"],
    )


def test_the_command_refuses_a_locked_month_and_an_account_without_the_right(world):
    with pytest.raises(CommandError) as locked:
        call_command("payroll", month="2026-10", district="350206")
    assert str(locked.value) == "测试区（350206）2026-10：该月发放表已锁定，不能重新计算"
    with pytest.raises(CommandError) as refused:
        call_command("payroll", month="2026-11", district="350206", username="bureau_reader")
    assert str(refused.value) == "账号 bureau_reader 不能编制测试区的发放表"
    with pytest.raises(CommandError) as several:
        call_command("payroll", month="2026-11")
    assert str(several.value) == "请用 --district 指定区代码"
    with pytest.raises(CommandError) as month:
        call_command("payroll", month="11/2026", district="350206")
    assert str(month.value) == "月份应为 YYYY-MM，例如 2026-11"
