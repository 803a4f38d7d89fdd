"""What-if: the cost of one draft parameter value over the next 12 months, and who gains or loses.

An officer drafts one dated value (path, start, value); nothing is saved. The draft policy is the
district's policy with that value added (`Policy.with_value`). For each of the 12 months from the
current one, the two monthly schemes (入住机构养老服务补贴, 床位运营补贴) are computed for the
district's active entitlements under the policy in force and under the draft, with the same rules
the payroll uses (`rules.resident_compute`, `rules.bed_operation_compute`).

Assumption (shown on the page): facts after today are not known. The current month is computed from
the facts as recorded (as the payroll would compute it today); every later month holds the facts of
today constant for the whole month (an elder in care today stays in care, at today's level and
economic status; an elder not in care today is not counted). Entitlements keep their own start and
end dates; the policy values of each month (and of each day, when a value starts mid-month) apply.
One-off schemes are out of scope: their approved instalments are fixed at approval, and applications
not yet approved are not projected.

Guarantees: only a district-level account of the district holding `benefits.policy` runs it; nothing
is written but one audit VIEW event naming the draft and the entitlements whose amounts change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.benefits import rules
from yiyang.benefits.choices import EntitlementStatus, Scheme, SubjectKind
from yiyang.benefits.facts import ResidentRow, bed_batch, resident_batch
from yiyang.benefits.models import Entitlement
from yiyang.benefits.policy import MAX_VALUE, Policy, PolicyError, shipped_parameters
from yiyang.benefits.policy_access import require_policy_changer
from yiyang.benefits.policy_selectors import WHOLE_UNITS
from yiyang.benefits.selectors import district_policy
from yiyang.core.errors import ErrorCollector, ValidationFailed
from yiyang.core.masking import mask_name
from yiyang.organisations.selectors import licensed_institution_ids

HORIZON_MONTHS = 12
MONTHLY_ROOTS = (rules.RESIDENT, rules.BED)


@dataclass(frozen=True)
class MonthFigures:
    month: date
    resident_baseline: Decimal
    resident_draft: Decimal
    bed_baseline: Decimal
    bed_draft: Decimal

    @property
    def baseline(self) -> Decimal:
        return self.resident_baseline + self.bed_baseline

    @property
    def draft(self) -> Decimal:
        return self.resident_draft + self.bed_draft

    @property
    def difference(self) -> Decimal:
        return self.draft - self.baseline


@dataclass(frozen=True)
class Change:
    """One beneficiary whose 12-month amount changes under the draft (a person's name masked)."""

    entitlement_id: str  # public id
    scheme: str
    subject_kind: str
    name: str
    baseline: Decimal
    draft: Decimal

    @property
    def difference(self) -> Decimal:
        return self.draft - self.baseline

    @property
    def scheme_label(self) -> str:
        return str(Scheme(self.scheme).label)


@dataclass
class WhatIfResult:
    district: Area
    path: str
    start: date
    value: Decimal
    current_value: Decimal | None  # the value in force on `start` before the draft
    affects_monthly: bool
    months: list[MonthFigures] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # largest change first
    resident_count: int = 0
    bed_count: int = 0
    # Parameters of the monthly schemes whose value in force during the horizon is an example value
    # (the baseline's; a payroll outside the demo would refuse them).
    example_paths: list[str] = field(default_factory=list)

    @property
    def total_baseline(self) -> Decimal:
        return sum((m.baseline for m in self.months), Decimal("0.00"))

    @property
    def total_draft(self) -> Decimal:
        return sum((m.draft for m in self.months), Decimal("0.00"))

    @property
    def total_difference(self) -> Decimal:
        return self.total_draft - self.total_baseline

    @property
    def gainers(self) -> int:
        return sum(1 for c in self.changes if c.difference > 0)

    @property
    def losers(self) -> int:
        return sum(1 for c in self.changes if c.difference < 0)


def horizon(today: date) -> list[date]:
    months = [rules.month_start(today)]
    while len(months) < HORIZON_MONTHS:
        months.append(rules.next_month(months[-1]))
    return months


def example_paths(policy: Policy, months: list[date]) -> list[str]:
    """Paths of the monthly schemes with an example value in force on some day of `months`."""
    end = rules.next_month(months[-1])
    found = []
    for path, parameter in policy.parameters.items():
        if not path.startswith(MONTHLY_ROOTS):
            continue
        first = parameter.at(months[0])
        in_force = [first] if first else []
        in_force += [v for v in parameter.values if months[0] < v.start < end]
        if any(v.status == "example" for v in in_force):
            found.append(path)
    return sorted(found)


def what_if_validate(*, path: str, start: date | None, value: Decimal | str | None) -> tuple[str, date, Decimal]:
    """The draft, checked: a shipped parameter, a start date, a value as a policy file would allow
    (0 to 100,000,000, at most two decimals; whole numbers for levels, years and beds). Raises
    ValidationFailed naming every field at once."""
    errors = ErrorCollector()
    parameter = shipped_parameters().get(path or "")
    if parameter is None:
        errors.add("path", _("请选择一个已有的参数"), "invalid_choice")
    if start is None:
        errors.add("start", _("请填写起始日期"), "required")
    amount: Decimal | None = None
    if value is None or str(value).strip() == "":
        errors.add("value", _("请填写草拟值"), "required")
    else:
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            errors.add("value", _("草拟值应为数字"), "invalid")
        else:
            if not amount.is_finite() or amount < 0 or amount > MAX_VALUE:
                errors.add("value", _("草拟值应为 0 至 1 亿之间的数"), "invalid")
            elif amount != amount.quantize(Decimal("0.01")):
                errors.add("value", _("草拟值最多两位小数（元到分）"), "invalid")
            elif parameter is not None and parameter.unit in WHOLE_UNITS and amount != amount.to_integral_value():
                errors.add("value", _("该参数应为整数"), "invalid")
            elif parameter is not None and parameter.unit == "level" and amount > rules.LEVELS - 1:
                errors.add("value", _("能力等级应为 0 至 4"), "invalid")
    errors.raise_if_any(_("草拟参数有误"))
    assert start is not None and amount is not None
    return path, start, amount.quantize(Decimal("0.01"))


# --- the computation ---------------------------------------------------------------------------------


def _month_end(month: date) -> date:
    return month + timedelta(days=rules.days_in_month(month) - 1)


def _resident(
    district: Area, months: list[date], today: date, policies: tuple[Policy, Policy], licensed: set[int]
) -> tuple[list[Entitlement], np.ndarray]:
    """Active resident-subsidy entitlements and their amounts in fen, shape (2 policies, rows, months)."""
    entitlements = list(
        Entitlement.objects.filter(district=district, scheme=Scheme.RESIDENT_CARE, status=EntitlementStatus.ACTIVE)
        .select_related("elder")
        .order_by("id")
    )
    amounts = np.zeros((2, len(entitlements), len(months)), dtype=np.int64)
    if not entitlements:
        return entitlements, amounts
    rows = [ResidentRow(e.pk, e.elder_id, e.starts_on, e.ends_on) for e in entitlements]  # type: ignore[arg-type]
    first = resident_batch(district_id=district.pk, month=months[0], rows=rows, licensed=licensed)
    for p, policy in enumerate(policies):
        amounts[p, :, 0] = rules.resident_compute(first, policy).amounts_fen
    # Today's facts, held for the later months.
    result = rules.resident_compute(first, policies[0])
    t = (today - months[0]).days
    in_care = np.flatnonzero(result.in_care[:, t])
    for k, month in enumerate(months[1:], start=1):
        batch = rules.ResidentBatch(
            month=month,
            n=len(rows),
            economic_initial=result.economic[:, t].astype(np.int16),
            economic=rules.Events(),
            registered_initial=result.registered[:, t].astype(np.int16),
            registered=rules.Events(),
            on_roll_initial=result.roll[:, t].astype(np.int16),
            on_roll=rules.Events(),
            level_initial=result.level[:, t].astype(np.int16),
            level=rules.Events(),
            stays=rules.Stays.of([(int(i), month, None) for i in in_care]) if len(in_care) else rules.Stays(),
            window=first.window,
        )
        for p, policy in enumerate(policies):
            amounts[p, :, k] = rules.resident_compute(batch, policy).amounts_fen
    return entitlements, amounts


def _bed(
    district: Area, months: list[date], today: date, policies: tuple[Policy, Policy], licensed: set[int]
) -> tuple[list[Entitlement], np.ndarray]:
    """Active bed-operation entitlements of licensed institutions and their amounts in fen, shape
    (2 policies, rows, months); a month outside an entitlement's dates pays nothing (as the payroll)."""
    entitlements = [
        e
        for e in Entitlement.objects.filter(
            district=district, scheme=Scheme.BED_OPERATION, status=EntitlementStatus.ACTIVE
        )
        .select_related("organisation")
        .order_by("id")
        if e.organisation_id in licensed
    ]
    amounts = np.zeros((2, len(entitlements), len(months)), dtype=np.int64)
    if not entitlements:
        return entitlements, amounts
    organisation_ids = [e.organisation_id for e in entitlements]
    first, _elders = bed_batch(month=months[0], organisation_ids=organisation_ids)  # type: ignore[arg-type]
    for p, policy in enumerate(policies):
        amounts[p, :, 0] = rules.bed_operation_compute(first, policy).amounts_fen
    t = (today - months[0]).days
    in_care = first.stays.grid(first.n, months[0])[:, t] if first.n else np.zeros(0, dtype=bool)
    level = rules.fact_grid(first.n, months[0], first.level_initial, first.level)[:, t] if first.n else in_care
    keep = np.flatnonzero(in_care)
    for k, month in enumerate(months[1:], start=1):
        batch = rules.BedBatch(
            month=month,
            n=len(keep),
            n_organisations=len(entitlements),
            organisation=first.organisation[keep] if first.n else np.zeros(0, dtype=np.int64),
            stays=rules.Stays.of([(j, month, None) for j in range(len(keep))]) if len(keep) else rules.Stays(),
            level_initial=np.asarray(level[keep], dtype=np.int16) if first.n else np.zeros(0, dtype=np.int16),
            level=rules.Events(),
        )
        for p, policy in enumerate(policies):
            amounts[p, :, k] = rules.bed_operation_compute(batch, policy).amounts_fen
    for i, entitlement in enumerate(entitlements):
        for k, month in enumerate(months):
            if entitlement.starts_on > _month_end(month) or (
                entitlement.ends_on is not None and entitlement.ends_on < month
            ):
                amounts[:, i, k] = 0
    return entitlements, amounts


def what_if_compute(
    *,
    actor: AnyUser,
    district: Area,
    path: str,
    start: date | None,
    value: Decimal | str | None,
    today: date | None = None,
) -> WhatIfResult:
    """The 12-month cost of the draft value against the policy in force, month by month and per
    beneficiary. See the module docstring for the assumption and what is guaranteed."""
    require_policy_changer(user=actor, district=district)
    path, start_on, amount = what_if_validate(path=path, start=start, value=value)
    today = today or timezone.localdate()
    baseline = district_policy(district_id=district.pk)
    draft = baseline.with_value(path, start_on, amount)
    in_force = baseline.parameters[path].at(start_on)
    result = WhatIfResult(
        district=district,
        path=path,
        start=start_on,
        value=amount,
        current_value=in_force.value if in_force else None,
        affects_monthly=path.startswith(MONTHLY_ROOTS),
    )
    months = horizon(today)
    licensed = licensed_institution_ids()
    try:
        residents, resident_fen = _resident(district, months, today, (baseline, draft), licensed)
        beds, bed_fen = _bed(district, months, today, (baseline, draft), licensed)
    except PolicyError as exc:
        raise ValidationFailed.single("start", f"{exc.path}：{exc.reason}", "no_value") from None
    result.resident_count, result.bed_count = len(residents), len(beds)
    result.example_paths = example_paths(baseline, months)
    result.months = [
        MonthFigures(
            month=month,
            resident_baseline=rules.yuan(resident_fen[0, :, k].sum()),
            resident_draft=rules.yuan(resident_fen[1, :, k].sum()),
            bed_baseline=rules.yuan(bed_fen[0, :, k].sum()),
            bed_draft=rules.yuan(bed_fen[1, :, k].sum()),
        )
        for k, month in enumerate(months)
    ]
    changes: list[Change] = []
    for entitlements, amounts in ((residents, resident_fen), (beds, bed_fen)):
        totals = amounts.sum(axis=2)
        for i in np.flatnonzero(totals[0] != totals[1]):
            entitlement = entitlements[int(i)]
            if entitlement.subject_kind == SubjectKind.ELDER and entitlement.elder is not None:
                name = mask_name(entitlement.elder.name)
            elif entitlement.organisation is not None:
                name = entitlement.organisation.name
            else:
                name = entitlement.payee_name
            changes.append(
                Change(
                    entitlement_id=str(entitlement.public_id),
                    scheme=entitlement.scheme,
                    subject_kind=entitlement.subject_kind,
                    name=name,
                    baseline=rules.yuan(totals[0, i]),
                    draft=rules.yuan(totals[1, i]),
                )
            )
    changes.sort(key=lambda c: (-abs(c.difference), c.name, c.entitlement_id))
    result.changes = changes
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        entity_type="benefit_what_if",
        summary=(
            f"补贴政策试算：{path} 自 {start_on} 起为 {amount}；12 个月差额 {result.total_difference} 元，"
            f"增加 {result.gainers} 人/家，减少 {result.losers} 人/家"
        ),
        district=district,
        record_ids=[c.entitlement_id for c in changes[:500]],
    )
    return result
