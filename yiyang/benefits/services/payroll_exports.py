"""Files of a payroll run: the Excel workbook and the bank payment file.

Decisions (docs/benefits.md, "File formats"):
- The bank payment file (CSV, UTF-8 with BOM so Excel opens it, header `账号,户名,金额`) pays the
  run's positive lines, one row per line, amounts in yuan with two places. Its total equals the sum
  of the positive lines to the fen. Recoveries (negative lines) are never sent to the bank: they are
  listed in the workbook's "追回明细" sheet for the officers to collect. Run page and workbook show
  both totals: the bank total (positive lines) and the net total (the run's total, recoveries
  deducted). The bank file carries the accounts in full (the bank needs them) and is made only for a
  locked run, so a file the bank paid always matches a run that can no longer change.
- The workbook (summary, lines with the explanation in words, recoveries, parameters used with their
  marks) may be made for a computed run too, marked as not final. It leaves the system: accounts in
  it are masked as on screen.
Both need `benefits.payroll` and are audited as exports (the run's id, the row count, the total).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.disclosure import LEAVES_SYSTEM
from yiyang.accounts.permissions import Perm
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.benefits.choices import LineKind, PayrollStatus, Scheme
from yiyang.benefits.models import PayrollLine, PayrollRun
from yiyang.benefits.payroll_selectors import (
    ZERO,
    RunTotals,
    explain_line,
    payroll_run_parameters,
    payroll_run_totals,
)
from yiyang.core.errors import ValidationFailed
from yiyang.core.excel import Sheet

BANK_HEADER = ("账号", "户名", "金额")
CSV_CHUNK = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """A text cell a spreadsheet will not evaluate (a name beginning with = + - @ gets a quote)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _subject(line: PayrollLine) -> str:
    entitlement = line.entitlement
    if entitlement.elder_id is not None:
        return entitlement.elder.name  # type: ignore[union-attr]
    if entitlement.organisation_id is not None:
        return entitlement.organisation.name  # type: ignore[union-attr]
    return entitlement.worker_name


def _lines(run: PayrollRun) -> Iterator[PayrollLine]:
    return (
        PayrollLine.objects.filter(run=run)
        .select_related("entitlement__elder", "entitlement__organisation")
        .order_by("id")
        .iterator(chunk_size=CSV_CHUNK)
    )


# --- bank payment file --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentFile:
    filename: str
    content: bytes
    rows: int
    total: Decimal


def payment_file_rows(run: PayrollRun) -> Iterator[tuple[str, str, Decimal]]:
    """(account, name, amount) for every positive line of the run, in line order."""
    for account, name, amount in (
        PayrollLine.objects.filter(run=run, amount__gt=0)
        .order_by("id")
        .values_list("entitlement__payee_account", "payee_name", "amount")
        .iterator(chunk_size=CSV_CHUNK)
    ):
        yield "".join(str(account).split()), str(name), amount


def payroll_payment_file(*, actor: AnyUser, run: PayrollRun) -> PaymentFile:
    """The bank payment file of a locked run (see the module docstring). Raises Forbidden without
    `benefits.payroll`, ValidationFailed (field "status", code "not_locked") for a computed run."""
    require_perm(actor, Perm.BENEFITS_PAYROLL)
    if run.status != PayrollStatus.LOCKED:
        raise ValidationFailed.single("status", _("发放表锁定后才能生成银行代发文件"), "not_locked")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(BANK_HEADER)
    rows, total = 0, ZERO
    for account, name, amount in payment_file_rows(run):
        writer.writerow((account, _text(name), f"{amount:.2f}"))
        rows += 1
        total += amount
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        entity_type="payroll_run",
        entity_id=str(run.public_id),
        summary=f"导出银行代发文件（{rows}笔，合计{total:.2f}元）",
        fields=["payee_account", "payee_name", "amount"],
        district=run.district_id,
    )
    return PaymentFile(
        filename=f"银行代发_{run.district.code}_{run.month:%Y-%m}.csv",
        content=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        rows=rows,
        total=total,
    )


# --- workbook -----------------------------------------------------------------------------------------

LINE_HEADERS = [
    "序号",
    "补贴项目",
    "类别",
    "所属月份",
    "享受对象",
    "收款人",
    "收款账号（脱敏）",
    "开户行",
    "金额（元）",
    "计算说明",
]
PARAMETER_HEADERS = ["参数", "说明", "取值", "单位", "生效日期", "来源文件", "核实状态", "依据"]


@dataclass(frozen=True)
class PayrollWorkbook:
    filename: str
    summary_title: str
    summary_headers: list[str]
    summary_rows: list[Sequence[Any]]
    sheets: list[Sheet]


def _summary_rows(run: PayrollRun, totals: RunTotals) -> list[Sequence[Any]]:
    final = run.status == PayrollStatus.LOCKED
    rows: list[Sequence[Any]] = [
        ("区", run.district.name, ""),
        ("发放月份", f"{run.month:%Y-%m}", ""),
        ("状态", "已锁定（最终）" if final else "已计算，未锁定（非最终，可能重新计算）", ""),
        ("计算", f"{run.computed_by.get_username()} {timezone.localtime(run.computed_at):%Y-%m-%d %H:%M}", ""),
    ]
    if final and run.locked_by is not None and run.locked_at is not None:
        rows.append(("锁定", f"{run.locked_by.get_username()} {timezone.localtime(run.locked_at):%Y-%m-%d %H:%M}", ""))
    rows += [
        ("净额合计（元）", totals.net, totals.count),
        ("银行代发合计（元，正数笔）", totals.bank_total, totals.bank_count),
        ("追回合计（元，负数笔，不进银行文件）", totals.recoveries_total, totals.recoveries_count),
        ("", "", ""),
        ("按补贴项目", "金额（元）", "笔数"),
        *((t.label, t.amount, t.count) for t in totals.by_scheme),
        ("", "", ""),
        ("按类别", "金额（元）", "笔数"),
        *((t.label, t.amount, t.count) for t in totals.by_kind),
    ]
    return rows


def _line_row(line: PayrollLine, number: int, parameters: dict[str, Any]) -> list[Any]:
    return [
        number,
        str(Scheme(line.scheme).label),
        str(LineKind(line.kind).label),
        f"{line.for_month:%Y-%m}",
        _subject(line),
        line.payee_name,
        LEAVES_SYSTEM.bank_account(line.payee_account),
        line.payee_bank,
        line.amount,
        " ".join(explain_line(line, parameters).sentences),
    ]


def payroll_workbook(*, actor: AnyUser, run: PayrollRun) -> PayrollWorkbook:
    """The run's workbook (see the module docstring). Raises Forbidden without `benefits.payroll`."""
    require_perm(actor, Perm.BENEFITS_PAYROLL)
    totals = payroll_run_totals(run=run)
    parameters = run.parameters or {}

    def lines() -> Iterator[list[Any]]:
        for number, line in enumerate(_lines(run), start=1):
            yield _line_row(line, number, parameters)

    def recoveries() -> Iterator[list[Any]]:
        number = 0
        for line in _lines(run):
            if line.amount < 0:
                number += 1
                yield _line_row(line, number, parameters)

    used = [
        [p.path, p.shown_description, Decimal(p.value) if p.value else "", p.unit, p.start, p.file, p.mark,
         "；".join(f"{title} {href}".strip() for title, href in p.references)]
        for p in payroll_run_parameters(run=run)
    ]  # fmt: skip
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        entity_type="payroll_run",
        entity_id=str(run.public_id),
        summary=f"导出月度发放表（Excel，{totals.count}笔，净额{totals.net:.2f}元）",
        fields=["payee_name", "amount", "explanation"],
        district=run.district_id,
    )
    return PayrollWorkbook(
        filename=f"发放表_{run.district.code}_{run.month:%Y-%m}.xlsx",
        summary_title="汇总",
        summary_headers=["项目", "内容", "笔数"],
        summary_rows=_summary_rows(run, totals),
        sheets=[
            Sheet("明细", LINE_HEADERS, lines(), widths=(6, 22, 14, 10, 16, 12, 22, 16, 12, 80)),
            Sheet("追回明细", LINE_HEADERS, recoveries(), widths=(6, 22, 14, 10, 16, 12, 22, 16, 12, 80)),
            Sheet("所用参数", PARAMETER_HEADERS, used, widths=(52, 20, 12, 10, 12, 36, 18, 60)),
        ],
    )
