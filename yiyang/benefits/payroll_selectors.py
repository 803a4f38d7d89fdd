"""Reads of payroll runs, their lines and totals, the explanation of a line in words, and the
budget ledger. Reach is decided in `payroll_access`; these take an already accessed run or district.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser
from yiyang.areas.models import Area
from yiyang.benefits.choices import EconomicKey, EntitlementStatus, LineKind, PayrollStatus, Scheme
from yiyang.benefits.models import Budget, Instalment, PayrollLine, PayrollRun
from yiyang.benefits.payroll_access import payroll_runs_in_reach
from yiyang.core.errors import ErrorCollector
from yiyang.core.text import in_language, localised

ZERO = Decimal("0.00")
MONTHLY_SCHEMES = (Scheme.RESIDENT_CARE, Scheme.BED_OPERATION)


def status_mark(status: str) -> str:
    """A parameter value's mark in words: verified, stated by one source only, or an example."""
    return {
        "verified": _("已核实"),
        "single_source": _("未核实（单一来源）"),
        "example": _("示例值"),
    }.get(status, status)


# --- runs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFilters:
    status: str = ""
    year: int | None = None
    district: Area | None = None


def payroll_run_list(*, user: AnyUser, filters: RunFilters | None = None) -> QuerySet[PayrollRun]:
    """Runs in reach, newest month first. An unknown status raises ValidationFailed."""
    filters = filters or RunFilters()
    errors = ErrorCollector()
    if filters.status and filters.status not in PayrollStatus.values:
        errors.add("status", _("未知的发放表状态"), "invalid_choice")
    errors.raise_if_any()
    qs = payroll_runs_in_reach(user=user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(month__year=filters.year)
    if filters.district is not None:
        qs = qs.filter(district=filters.district)
    return qs.select_related("district", "computed_by", "locked_by").order_by("-month", "district__code")


@dataclass(frozen=True)
class LineFilters:
    scheme: str = ""
    kind: str = ""
    # The payee's name or the subject's (elder, organisation, worker) name, anywhere in it.
    search: str = ""


def payroll_run_lines(*, run: PayrollRun, filters: LineFilters | None = None) -> QuerySet[PayrollLine]:
    """The run's lines matching the filters, in the order they were computed. An unknown scheme or
    kind raises ValidationFailed naming every bad filter."""
    filters = filters or LineFilters()
    errors = ErrorCollector()
    if filters.scheme and filters.scheme not in Scheme.values:
        errors.add("scheme", _("未知的补贴项目"), "invalid_choice")
    if filters.kind and filters.kind not in LineKind.values:
        errors.add("kind", _("未知的发放类别"), "invalid_choice")
    errors.raise_if_any()
    qs = PayrollLine.objects.filter(run=run)
    if filters.scheme:
        qs = qs.filter(scheme=filters.scheme)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    text = filters.search.strip()
    if text:
        qs = qs.filter(
            Q(payee_name__icontains=text)
            | Q(entitlement__elder__name__icontains=text)
            | Q(entitlement__organisation__name__icontains=text)
            | Q(entitlement__worker_name__icontains=text)
        )
    return qs.select_related("entitlement__elder", "entitlement__organisation").order_by("id")


@dataclass(frozen=True)
class Total:
    key: str
    label: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class RunTotals:
    """A run's money: the net total (= run.total), what the bank file pays (positive lines) and
    what is to be recovered (negative lines), and the totals by scheme and by kind of line."""

    net: Decimal
    count: int
    bank_total: Decimal
    bank_count: int
    recoveries_total: Decimal
    recoveries_count: int
    by_scheme: list[Total]
    by_kind: list[Total]


def payroll_run_totals(*, run: PayrollRun) -> RunTotals:
    lines = PayrollLine.objects.filter(run=run)
    overall = lines.aggregate(
        net=Sum("amount"),
        count=Count("id"),
        bank=Sum("amount", filter=Q(amount__gt=0)),
        bank_count=Count("id", filter=Q(amount__gt=0)),
        recoveries=Sum("amount", filter=Q(amount__lt=0)),
        recoveries_count=Count("id", filter=Q(amount__lt=0)),
    )
    by_scheme = {
        row["scheme"]: (row["amount"], row["count"])
        for row in lines.values("scheme").annotate(amount=Sum("amount"), count=Count("id"))
    }
    by_kind = {
        row["kind"]: (row["amount"], row["count"])
        for row in lines.values("kind").annotate(amount=Sum("amount"), count=Count("id"))
    }
    return RunTotals(
        net=overall["net"] or ZERO,
        count=overall["count"],
        bank_total=overall["bank"] or ZERO,
        bank_count=overall["bank_count"],
        recoveries_total=overall["recoveries"] or ZERO,
        recoveries_count=overall["recoveries_count"],
        by_scheme=[
            Total(scheme.value, str(scheme.label), *by_scheme[scheme.value])
            for scheme in Scheme
            if scheme.value in by_scheme
        ],
        by_kind=[
            Total(kind.value, str(kind.label), *by_kind[kind.value]) for kind in LineKind if kind.value in by_kind
        ],
    )


# --- explanations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterShown:
    """One parameter value a line used: value and mark side by side, with where it comes from."""

    path: str
    description: str
    value: str
    unit: str
    start: str
    file: str
    status: str
    mark: str
    references: list[tuple[str, str]]
    description_en: str = ""  # "" in runs made before the parameter files carried English

    @property
    def shown_description(self) -> str:
        """The description in the active language (the Chinese where no English was recorded)."""
        return in_language(self.description, self.description_en)


def parameter_shown(described: dict[str, Any]) -> ParameterShown:
    return ParameterShown(
        path=str(described.get("path", "")),
        description=str(described.get("description", "")),
        description_en=str(described.get("description_en") or ""),
        value=str(described.get("value", "")),
        unit=str(described.get("unit", "")),
        start=str(described.get("start", "")),
        file=str(described.get("file", "")),
        status=str(described.get("status", "")),
        mark=status_mark(str(described.get("status", ""))),
        references=[(str(r[0]), str(r[1]) if len(r) > 1 else "") for r in described.get("reference", [])],
    )


@dataclass(frozen=True)
class Explanation:
    """A line's explanation in words: sentences in order, and every parameter value it used."""

    sentences: list[str]
    parameters: list[ParameterShown] = field(default_factory=list)


def _economic_label(key: str) -> str:
    try:
        return str(EconomicKey(key).label)
    except ValueError:
        return key


def _money(value: Any) -> str:
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,}"


def _describe(run_parameters: dict[str, Any], key: Any) -> dict[str, Any]:
    if isinstance(key, dict):
        return key
    return run_parameters.get(str(key)) or {"path": str(key).split("@")[0], "status": ""}


def explain_line(line: PayrollLine, run_parameters: dict[str, Any]) -> Explanation:
    """The line's stored explanation (see services/payroll.py) put into words, with the parameters it
    names looked up in the run's record of what it used (value, dated file, mark, reference)."""
    data = line.explanation or {}
    sentences: list[str] = []
    used: list[dict[str, Any]] = []
    if line.kind in (LineKind.ARREARS, LineKind.RECOVERY):
        sentences.append(
            _("更正 %(month)s：原已发 %(before)s 元，按现有事实应发 %(due)s 元，本次%(kind)s %(amount)s 元。")
            % {
                "month": f"{line.for_month:%Y-%m}",
                "before": _money(data.get("paid_before", "0")),
                "due": _money(data.get("due_now", Decimal(str(data.get("paid_before", "0"))) + line.amount)),
                "kind": LineKind(line.kind).label,
                "amount": _money(abs(line.amount)),
            }
        )
    if "segments" in data:
        for segment in data["segments"]:
            described = _describe(run_parameters, segment.get("parameter"))
            used.append(described)
            sentences.append(
                _(
                    "%(start)s 至 %(end)s，共 %(days)s 天：家庭经济状况%(economic)s，能力等级 %(level)s 级"
                    "（%(level_name)s），月标准 %(monthly)s 元（参数 %(path)s，%(file)s，自 %(from)s 起，%(mark)s）。"
                )
                % {
                    "start": segment.get("from"),
                    "end": segment.get("to"),
                    "days": segment.get("days"),
                    "economic": _economic_label(str(segment.get("economic_status", ""))),
                    "level": segment.get("level"),
                    "level_name": localised(described, "description"),
                    "monthly": _money(segment.get("monthly", "0")),
                    "path": described.get("path", ""),
                    "file": described.get("file", ""),
                    "from": described.get("start", ""),
                    "mark": status_mark(str(described.get("status", ""))),
                }
            )
        sentences.append(
            _("金额 = Σ（天数 × 月标准）÷ 当月 %(days)s 天，四舍五入到分。") % {"days": data.get("days_in_month")}
        )
    elif "nursing_bed_days" in data:
        used.extend(_describe(run_parameters, key) for key in data.get("parameters", []))
        sentences.append(
            _(
                "护理型床位日 %(nursing)s 天 × %(nursing_rate)s 元/床·年 + 非护理型床位日 %(other)s 天 × "
                "%(other_rate)s 元/床·年，÷ 全年 %(year_days)s 天，四舍五入到分；能力等级 %(from_level)s 级及以上的"
                "入住老人所占床位按护理型计。"
            )
            % {
                "nursing": data.get("nursing_bed_days"),
                "nursing_rate": _money(data.get("nursing_per_year", "0")),
                "other": data.get("other_bed_days"),
                "other_rate": _money(data.get("non_nursing_per_year", "0")),
                "year_days": data.get("days_in_year"),
                "from_level": data.get("nursing_from_level"),
            }
        )
    elif line.kind == LineKind.INSTALMENT:
        used.extend(_describe(run_parameters, p) for p in data.get("parameters", []))
        sentences.append(
            _("一次性项目第 %(sequence)s 期（应发月份 %(month)s）：%(rule)s。")
            % {"sequence": data.get("sequence", ""), "month": f"{line.for_month:%Y-%m}", "rule": data.get("rule", "")}
        )
    return Explanation(sentences=sentences, parameters=[parameter_shown(d) for d in used])


def payroll_run_parameters(*, run: PayrollRun) -> list[ParameterShown]:
    """Every parameter value the run used (monthly schemes, from the run's record; one-off
    instalments, from their lines' explanations), by path and start date."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for described in run.parameters.values():
        found[(described["path"], described["start"], described["file"])] = described
    for explanation in PayrollLine.objects.filter(run=run, kind=LineKind.INSTALMENT).values_list(
        "explanation", flat=True
    ):
        for described in explanation.get("parameters", []):
            if isinstance(described, dict) and "path" in described:
                found[(described["path"], described.get("start", ""), described.get("file", ""))] = described
    return [parameter_shown(found[key]) for key in sorted(found)]


# --- budget ledger ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    scheme: str
    label: str
    budget: Decimal | None
    paid_by_month: list[Decimal]  # January .. December, locked runs only
    paid: Decimal
    computed: Decimal
    scheduled: Decimal
    projected: Decimal

    @property
    def committed(self) -> Decimal:
        return self.paid + self.computed + self.scheduled + self.projected

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed


@dataclass(frozen=True)
class Ledger:
    """A district's year: per scheme the budget, what locked runs paid (by month), what the computed
    (unlocked) run holds, instalments still scheduled in the year, the projection of the monthly
    schemes for the months no run covers yet, what is committed and what remains."""

    district: Area
    year: int
    rows: list[LedgerRow]
    total: LedgerRow
    locked_months: list[date]
    computed_months: list[date]
    projection_basis: date | None  # the locked month whose regular lines are projected
    months_projected: int


def _sum_by_scheme(qs: QuerySet[Any], amount: str = "amount") -> dict[str, Decimal]:
    return {row["scheme"]: row["total"] or ZERO for row in qs.values("scheme").annotate(total=Sum(amount))}


def budget_ledger(*, district: Area, year: int) -> Ledger:
    """The ledger of `district` for `year`. Guarantees: per scheme, paid = the lines of the year's
    locked runs and computed = the lines of its unlocked run, so the totals of the paid and computed
    columns equal the sums of those runs' totals; committed = paid + computed + scheduled + projected;
    remaining = budget − committed (none without a budget).

    Scheduled: instalments of active one-off entitlements due in the year that no run has taken yet.
    Projected: for the monthly schemes, the regular lines of the latest locked run (of the year or
    before) × the months of the year after the latest run (locked or computed)."""
    runs = PayrollRun.objects.filter(district=district, month__year=year)
    locked_months = sorted(runs.filter(status=PayrollStatus.LOCKED).values_list("month", flat=True))
    computed_months = sorted(runs.filter(status=PayrollStatus.COMPUTED).values_list("month", flat=True))
    year_lines = PayrollLine.objects.filter(run__district=district, run__month__year=year)
    locked_lines = year_lines.filter(run__status=PayrollStatus.LOCKED)
    paid_monthly: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * 12)
    for row in locked_lines.values("scheme", "run__month").annotate(total=Sum("amount")):
        paid_monthly[row["scheme"]][row["run__month"].month - 1] = row["total"] or ZERO
    computed = _sum_by_scheme(year_lines.filter(run__status=PayrollStatus.COMPUTED))
    scheduled = {
        row["entitlement__scheme"]: row["total"] or ZERO
        for row in Instalment.objects.filter(
            entitlement__district=district,
            entitlement__status=EntitlementStatus.ACTIVE,
            due_month__year=year,
            paid_by__isnull=True,
        )
        .values("entitlement__scheme")
        .annotate(total=Sum("amount"))
    }
    latest_run = PayrollRun.objects.filter(district=district, month__lte=date(year, 12, 1)).order_by("-month").first()
    basis = (
        PayrollRun.objects.filter(district=district, status=PayrollStatus.LOCKED, month__lte=date(year, 12, 1))
        .order_by("-month")
        .first()
    )
    # Months of the year no run covers yet: all twelve in a year without runs.
    months_projected = 12 if latest_run is None or latest_run.month.year < year else 12 - latest_run.month.month
    projected_each: dict[str, Decimal] = {}
    if basis is not None and months_projected:
        projected_each = _sum_by_scheme(
            PayrollLine.objects.filter(run=basis, kind=LineKind.REGULAR, scheme__in=[s.value for s in MONTHLY_SCHEMES])
        )
    budgets = dict(Budget.objects.filter(district=district, year=year).values_list("scheme", "amount"))
    rows = []
    for scheme in Scheme:
        monthly = paid_monthly.get(scheme.value, [ZERO] * 12)
        rows.append(
            LedgerRow(
                scheme=scheme.value,
                label=str(scheme.label),
                budget=budgets.get(scheme.value),
                paid_by_month=list(monthly),
                paid=sum(monthly, ZERO),
                computed=computed.get(scheme.value, ZERO),
                scheduled=scheduled.get(scheme.value, ZERO),
                projected=projected_each.get(scheme.value, ZERO) * months_projected,
            )
        )
    total = LedgerRow(
        scheme="",
        label=_("合计"),
        budget=sum((r.budget for r in rows if r.budget is not None), ZERO) if budgets else None,
        paid_by_month=[sum((r.paid_by_month[m] for r in rows), ZERO) for m in range(12)],
        paid=sum((r.paid for r in rows), ZERO),
        computed=sum((r.computed for r in rows), ZERO),
        scheduled=sum((r.scheduled for r in rows), ZERO),
        projected=sum((r.projected for r in rows), ZERO),
    )
    return Ledger(
        district=district,
        year=year,
        rows=rows,
        total=total,
        locked_months=locked_months,
        computed_months=computed_months,
        projection_basis=basis.month if basis is not None and months_projected else None,
        months_projected=months_projected if basis is not None else 0,
    )


def month_from_text(text: str, field_name: str = "month") -> date:
    """`2026-11` (or `2026-11-01`) as the 1st of that month; else ValidationFailed naming the field."""
    raw = (text or "").strip()
    try:
        year, month = (int(part) for part in raw[:7].split("-"))
        if raw[7:] not in ("", "-01") or not 2000 <= year <= 2100:
            raise ValueError
        return date(year, month, 1)
    except ValueError:
        from yiyang.core.errors import ValidationFailed

        raise ValidationFailed.single(field_name, _("月份应为 YYYY-MM，例如 2026-11"), "invalid") from None
