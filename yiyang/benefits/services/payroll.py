"""The monthly payroll: compute every active entitlement of a district for a month, then lock it.

Guarantees:
- one run per district and month; a computed run may be recomputed (its lines are replaced), a locked
  run never: computing a locked month is refused, and its lines are never changed again;
- a month is computed only after every earlier run of the district is locked, and never ahead of time;
- every line carries its explanation (facts by day, the parameter values and their dated files);
- facts changed after an earlier month was locked (a backdated economic status, a late discharge, a
  corrected assessment) are recomputed for that month and the difference from what was paid becomes an
  arrears or recovery line in this run, naming the month it corrects;
- an instalment of a one-off scheme is paid once: by one line of one locked run;
- entitlements whose facts stopped are ended when the run is locked, with the day and the reason;
- outside the demo (settings.BENEFITS_ALLOW_EXAMPLE_VALUES off) a run that would use an example value
  is refused, naming the parameter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, cast

import numpy as np
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, ScopeKind, require_perm, scope_for
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.assessments.selectors import ability_levels_changed_since
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.benefits import rules
from yiyang.benefits.choices import EntitlementStatus, LineKind, PayrollStatus, Scheme, StopReason
from yiyang.benefits.facts import ResidentRow, bed_batch, resident_batch
from yiyang.benefits.models import Entitlement, Instalment, PayrollLine, PayrollRun
from yiyang.benefits.policy import DatedValue, Policy
from yiyang.benefits.selectors import district_policy
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.elders.selectors import elder_fact_changes_since
from yiyang.organisations.selectors import licensed_institution_ids, stays_changed_since, stays_overlapping

WRITE_BATCH = 5_000
ROLL_STOP = {0: StopReason.DECEASED, 2: StopReason.MOVED_OUT}


class Line(NamedTuple):
    """A payroll line before it is written (plain values: a run of a million lines makes no model
    objects). Explanations of lines that read the same are one shared dict, serialised once."""

    entitlement_id: int
    scheme: str
    kind: str
    for_month: date
    amount_fen: int
    payee_name: str
    payee_bank: str
    explanation: dict[str, Any]
    instalment_id: int | None = None


class EntitlementRow(NamedTuple):
    """What the payroll reads of a monthly entitlement (plain values, not a model object)."""

    pk: int
    scheme: str
    elder_id: int | None
    organisation_id: int | None
    starts_on: date
    ends_on: date | None
    payee_name: str
    payee_bank: str


ENTITLEMENT_ROW_FIELDS = (
    "pk",
    "scheme",
    "elder_id",
    "organisation_id",
    "starts_on",
    "ends_on",
    "payee_name",
    "payee_bank",
)


@dataclass
class Draft:
    """Lines and stops of a run before they are written."""

    lines: list[Line] = field(default_factory=list)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    stops: dict[int, dict[str, str]] = field(default_factory=dict)  # entitlement pk -> {on, reason}

    def use(self, policy: Policy, path: str, value: DatedValue) -> str:
        key = f"{path}@{value.key}"
        if key not in self.parameters:
            self.parameters[key] = policy.describe(path, value)
        return key


def _line(
    entitlement: Any,
    run: PayrollRun,
    kind: str,
    for_month: date,
    amount_fen: int,
    explanation: dict[str, Any],
    instalment_id: int | None = None,
) -> Line:
    return Line(
        entitlement.pk,
        entitlement.scheme,
        kind,
        for_month,
        amount_fen,
        entitlement.payee_name,
        entitlement.payee_bank,
        explanation,
        instalment_id,
    )


LINE_COLUMNS = (
    "run_id",
    "entitlement_id",
    "instalment_id",
    "scheme",
    "kind",
    "for_month",
    "amount",
    "payee_name",
    "payee_bank",
    "explanation",
)


def _write_lines(run: PayrollRun, lines: list[Line]) -> None:
    """Insert the lines: COPY on PostgreSQL (a million lines in seconds; Django's bulk_create spends
    minutes adapting the explanations), bulk_create elsewhere. Shared explanations are serialised once."""
    if connection.vendor != "postgresql":
        PayrollLine.objects.bulk_create(
            [
                PayrollLine(
                    run=run,
                    entitlement_id=line.entitlement_id,
                    instalment_id=line.instalment_id,
                    scheme=line.scheme,
                    kind=line.kind,
                    for_month=line.for_month,
                    amount=rules.yuan(line.amount_fen),
                    payee_name=line.payee_name,
                    payee_bank=line.payee_bank,
                    explanation=line.explanation,
                )
                for line in lines
            ],
            batch_size=WRITE_BATCH,
        )
        return
    table = connection.ops.quote_name(PayrollLine._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in LINE_COLUMNS)
    # COPY's text format, written a block at a time (psycopg's write_row costs more than the rest).
    texts: dict[int, str] = {}  # explanation dict id -> escaped JSON
    null = "\\N"
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        block: list[str] = []
        for line in lines:
            text = texts.get(id(line.explanation))
            if text is None:
                text = texts[id(line.explanation)] = _copy_text(orjson.dumps(line.explanation).decode())
            instalment = null if line.instalment_id is None else line.instalment_id
            block.append(
                f"{run.pk}\t{line.entitlement_id}\t{instalment}\t{line.scheme}\t{line.kind}"
                f"\t{line.for_month.isoformat()}\t{_yuan_text(line.amount_fen)}"
                f"\t{_copy_text(line.payee_name)}\t{_copy_text(line.payee_bank)}\t{text}\n"
            )
            if len(block) == WRITE_BATCH:
                copy.write("".join(block))
                block.clear()
        if block:
            copy.write("".join(block))


def _copy_text(value: str) -> str:
    """A value in COPY's text format: backslash, tab, newline and carriage return escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _yuan_text(amount_fen: int) -> str:
    """Integer fen as yuan with two places (what rules.yuan gives, as text)."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}.{cents:02d}"


# --- resident institutional-care subsidy -----------------------------------------------------------


def _resident_entitlements(district_id: int, month: date, only_elders: set[int] | None = None) -> list[EntitlementRow]:
    month_end = month + timedelta(days=rules.days_in_month(month) - 1)
    qs = Entitlement.objects.filter(
        district_id=district_id, scheme=Scheme.RESIDENT_CARE, starts_on__lte=month_end
    ).exclude(ends_on__lt=month)
    if only_elders is not None:
        qs = qs.filter(elder_id__in=list(only_elders))
    return [EntitlementRow(*row) for row in qs.order_by("pk").values_list(*ENTITLEMENT_ROW_FIELDS)]


def resident_amounts(
    *, district_id: int, month: date, policy: Policy, entitlements: list[EntitlementRow], licensed: set[int]
) -> tuple[rules.ResidentResult, list[ResidentRow]]:
    rows = [ResidentRow(e.pk, e.elder_id, e.starts_on, e.ends_on) for e in entitlements]  # type: ignore[arg-type]
    batch = resident_batch(district_id=district_id, month=month, rows=rows, licensed=licensed)
    return rules.resident_compute(batch, policy), rows


def _resident_explanation(
    result: rules.ResidentResult, i: int, month: date, policy: Policy, draft: Draft, simple: bool
) -> dict[str, Any]:
    n_days = rules.days_in_month(month)
    runs: list[tuple[int, int, tuple[int, ...]]]
    if simple:
        runs = [(0, n_days - 1, (int(result.economic[i, 0]), int(result.level[i, 0]), int(result.standards[i, 0])))]
    else:
        runs = rules.segments(result.counted[i], result.economic[i], result.level[i], result.standards[i])
    segments = []
    for first, last, (economic, level, _standard) in runs:
        day = month + timedelta(days=first)
        path = f"{rules.RESIDENT}.{rules.ECONOMIC_KEYS[economic]}.level_{level}"
        value = policy.at(path, day)
        segments.append(
            {
                "from": day.isoformat(),
                "to": (month + timedelta(days=last)).isoformat(),
                "days": last - first + 1,
                "economic_status": rules.ECONOMIC_KEYS[economic],
                "level": level,
                "monthly": str(value.value),
                "parameter": draft.use(policy, path, value),
            }
        )
    return {"scheme": Scheme.RESIDENT_CARE, "days_in_month": n_days, "segments": segments}


def _resident_stop(result: rules.ResidentResult, i: int, month: date, row: ResidentRow) -> dict[str, str] | None:
    """Why the entitlement stops at the end of the month, if its facts stopped (else None)."""
    last = rules.days_in_month(month) - 1
    if row.ends_on is not None or result.counted[i, last]:
        return None
    if not result.on_roll[i, last]:
        reason = ROLL_STOP.get(int(result.roll[i, last]), StopReason.DECEASED)
    elif not result.registered[i, last]:
        reason = StopReason.NOT_REGISTERED
    elif not result.in_care[i, last]:
        reason = StopReason.DISCHARGED
    else:
        return None  # no level or status on the last day: the entitlement waits, it is not ended
    counted_days = np.flatnonzero(result.counted[i])
    end = month + timedelta(days=int(counted_days[-1])) if len(counted_days) else month - timedelta(days=1)
    return {"on": max(end, row.starts_on - timedelta(days=1)).isoformat(), "reason": str(reason)}


def _resident_lines(run: PayrollRun, policy: Policy, draft: Draft, licensed: set[int]) -> None:
    entitlements = _resident_entitlements(run.district_id, run.month)
    if not entitlements:
        return
    result, rows = resident_amounts(
        district_id=run.district_id, month=run.month, policy=policy, entitlements=entitlements, licensed=licensed
    )
    changes = (
        (np.diff(result.counted, axis=1) != 0)
        | (np.diff(result.economic, axis=1) != 0)
        | (np.diff(result.level, axis=1) != 0)
        | (np.diff(result.standards, axis=1) != 0)
    ).any(axis=1)
    # Rows whose days read the same (counted, status and level on each day, hence the same standard)
    # have the same explanation: one shared dict per pattern (most rows read the same all month).
    explanations: dict[bytes, dict[str, Any]] = {}
    amounts = result.amounts_fen.tolist()
    changed = changes.tolist()
    counted_last = result.counted[:, -1].tolist()
    pattern = np.concatenate(
        [result.counted.view(np.int8), result.economic.astype(np.int8), result.level.astype(np.int8)], axis=1
    )
    append, regular, month = draft.lines.append, LineKind.REGULAR, run.month
    for i, entitlement in enumerate(entitlements):
        amount = amounts[i]
        if amount:
            key = pattern[i].tobytes()
            explanation = explanations.get(key)
            if explanation is None:
                explanation = explanations[key] = _resident_explanation(
                    result, i, month, policy, draft, simple=not changed[i]
                )
            append(
                Line(
                    entitlement.pk,
                    entitlement.scheme,
                    regular,
                    month,
                    amount,
                    entitlement.payee_name,
                    entitlement.payee_bank,
                    explanation,
                )
            )
        if changed[i] or not counted_last[i]:
            stop = _resident_stop(result, i, month, rows[i])
            if stop:
                draft.stops[entitlement.pk] = stop


# --- bed operation subsidy ---------------------------------------------------------------------------


def _bed_entitlements(district_id: int, month: date, only: set[int] | None = None) -> list[EntitlementRow]:
    month_end = month + timedelta(days=rules.days_in_month(month) - 1)
    qs = Entitlement.objects.filter(
        district_id=district_id, scheme=Scheme.BED_OPERATION, starts_on__lte=month_end
    ).exclude(ends_on__lt=month)
    if only is not None:
        qs = qs.filter(organisation_id__in=list(only))
    return [EntitlementRow(*row) for row in qs.order_by("pk").values_list(*ENTITLEMENT_ROW_FIELDS)]


def bed_amounts(*, month: date, policy: Policy, entitlements: list[EntitlementRow]) -> rules.BedResult:
    organisation_ids = [e.organisation_id for e in entitlements]
    batch, _elders = bed_batch(month=month, organisation_ids=organisation_ids)  # type: ignore[arg-type]
    return rules.bed_operation_compute(batch, policy)


def _bed_explanation(result: rules.BedResult, i: int, month: date, policy: Policy, draft: Draft) -> dict[str, Any]:
    paths = {
        "nursing": f"{rules.BED}.per_bed_year.nursing",
        "non_nursing": f"{rules.BED}.per_bed_year.non_nursing",
        "nursing_from_level": f"{rules.BED}.nursing_from_level",
    }
    return {
        "scheme": Scheme.BED_OPERATION,
        "days_in_year": rules.days_in_year(month),
        "nursing_bed_days": int(result.nursing_days[i]),
        "other_bed_days": int(result.other_days[i]),
        "nursing_per_year": str(result.values["nursing"].value),
        "non_nursing_per_year": str(result.values["non_nursing"].value),
        "nursing_from_level": int(result.values["nursing_from_level"].value),
        "parameters": [draft.use(policy, paths[k], v) for k, v in result.values.items()],
    }


def _bed_lines(run: PayrollRun, policy: Policy, draft: Draft, licensed: set[int]) -> None:
    entitlements = _bed_entitlements(run.district_id, run.month)
    payable = [e for e in entitlements if e.organisation_id in licensed]
    for entitlement in entitlements:
        if entitlement.organisation_id not in licensed and entitlement.ends_on is None:
            draft.stops[entitlement.pk] = {
                "on": (run.month - timedelta(days=1)).isoformat(),
                "reason": str(StopReason.ORGANISATION_UNLICENSED),
            }
    if not payable:
        return
    result = bed_amounts(month=run.month, policy=policy, entitlements=payable)
    for i, entitlement in enumerate(payable):
        amount = int(result.amounts_fen[i])
        if amount:
            explanation = _bed_explanation(result, i, run.month, policy, draft)
            draft.lines.append(_line(entitlement, run, LineKind.REGULAR, run.month, amount, explanation))


# --- one-off instalments -----------------------------------------------------------------------------


def _instalment_lines(run: PayrollRun, draft: Draft) -> None:
    due = (
        Instalment.objects.filter(
            entitlement__district_id=run.district_id,
            entitlement__status=EntitlementStatus.ACTIVE,
            due_month__lte=run.month,
        )
        .exclude(paid_by__run__status=PayrollStatus.LOCKED)
        .select_related("entitlement")
        .order_by("entitlement_id", "sequence")
    )
    for instalment in due:
        line = _line(
            instalment.entitlement,
            run,
            LineKind.INSTALMENT,
            instalment.due_month,
            rules.fen(instalment.amount),
            {"scheme": instalment.entitlement.scheme, "sequence": instalment.sequence, **instalment.explanation},
            instalment_id=instalment.pk,
        )
        draft.lines.append(line)


# --- arrears and recoveries --------------------------------------------------------------------------


def _paid_for(entitlement_ids: list[int], month: date) -> dict[int, int]:
    rows = (
        PayrollLine.objects.filter(
            entitlement_id__in=entitlement_ids, for_month=month, run__status=PayrollStatus.LOCKED
        )
        .exclude(kind=LineKind.INSTALMENT)
        .values("entitlement_id")
        .annotate(total=Sum("amount"))
        .values_list("entitlement_id", "total")
    )
    return {pk: rules.fen(total) for pk, total in rows}


def _corrections(run: PayrollRun, policy: Policy, draft: Draft, licensed: set[int]) -> None:
    """For each earlier locked month, recompute the entitlements whose facts were recorded as changed
    after it was locked, and pay (or recover) the difference from what was paid for that month."""
    earlier = PayrollRun.objects.filter(
        district_id=run.district_id, status=PayrollStatus.LOCKED, month__lt=run.month
    ).order_by("month")
    for locked in earlier:
        assert locked.locked_at is not None
        month_end = locked.month + timedelta(days=rules.days_in_month(locked.month) - 1)
        stays_changed = stays_changed_since(elder_district_id=run.district_id, recorded_after=locked.locked_at)
        changed = _changed_elders(run.district_id, locked.locked_at, month_end, stays_changed)
        if not changed:
            continue
        elder_ids = set(changed)
        resident = _resident_entitlements(run.district_id, locked.month, only_elders=elder_ids)
        if resident:
            result, _rows = resident_amounts(
                district_id=run.district_id, month=locked.month, policy=policy, entitlements=resident, licensed=licensed
            )
            paid = _paid_for([e.pk for e in resident], locked.month)
            for i, entitlement in enumerate(resident):
                difference = int(result.amounts_fen[i]) - paid.get(entitlement.pk, 0)
                if difference:
                    explanation = _resident_explanation(result, i, locked.month, policy, draft, simple=False)
                    explanation["paid_before"] = str(rules.yuan(paid.get(entitlement.pk, 0)))
                    explanation["due_now"] = str(rules.yuan(int(result.amounts_fen[i])))
                    kind = LineKind.ARREARS if difference > 0 else LineKind.RECOVERY
                    draft.lines.append(_line(entitlement, run, kind, locked.month, difference, explanation))
        # Bed-days split by the residents' level: a late stay or a late level changes the institution's sum.
        organisations = {org for _e, org, _d in stays_changed} | {
            org
            for _pk, _elder, org, _admitted, _discharged in stays_overlapping(
                start=locked.month, end=month_end, elder_ids=list(changed)
            )
        }
        bed = [
            e
            for e in _bed_entitlements(run.district_id, locked.month, only=organisations or None)
            if e.organisation_id in licensed
        ]
        if organisations and bed:
            result_bed = bed_amounts(month=locked.month, policy=policy, entitlements=bed)
            paid = _paid_for([e.pk for e in bed], locked.month)
            for i, entitlement in enumerate(bed):
                difference = int(result_bed.amounts_fen[i]) - paid.get(entitlement.pk, 0)
                if difference:
                    explanation = _bed_explanation(result_bed, i, locked.month, policy, draft)
                    explanation["paid_before"] = str(rules.yuan(paid.get(entitlement.pk, 0)))
                    kind = LineKind.ARREARS if difference > 0 else LineKind.RECOVERY
                    draft.lines.append(_line(entitlement, run, kind, locked.month, difference, explanation))


def _changed_elders(
    district_id: int, locked_at: datetime, month_end: date, stays_changed: list[tuple[int, int, date]]
) -> dict[int, date]:
    """Elders with a fact for a day up to `month_end` recorded after `locked_at` (`stays_changed`: the
    stays registered or changed since, already read by the caller)."""
    changed: dict[int, date] = {}
    sources = [
        elder_fact_changes_since(district_id=district_id, recorded_after=locked_at),
        ability_levels_changed_since(elder_district_id=district_id, recorded_after=locked_at),
        {e: d for e, _o, d in stays_changed},
    ]
    for source in sources:
        for elder_id, day in source.items():
            if day <= month_end:
                changed[elder_id] = min(day, changed.get(elder_id, day))
    return changed


# --- the services ------------------------------------------------------------------------------------


def _refuse_examples(draft: Draft) -> None:
    if getattr(settings, "BENEFITS_ALLOW_EXAMPLE_VALUES", False):
        return
    examples = sorted({p["path"] for p in draft.parameters.values() if p["status"] == "example"})
    if examples:
        raise ValidationFailed.single(
            "month",
            _("以下参数仍是示例值，请先上传本区政策文件：%(paths)s") % {"paths": "、".join(examples[:5])},
            "example_values",
        )


def _check_month(district: Area, month: date, today: date) -> None:
    if month.day != 1:
        raise ValidationFailed.single("month", _("发放月份应为某月的1日"), "invalid")
    if month > rules.month_start(today):
        raise ValidationFailed.single("month", _("不能编制未来月份的发放表"), "future")
    run = PayrollRun.objects.filter(district=district, month=month).first()
    if run is not None and run.status == PayrollStatus.LOCKED:
        raise ValidationFailed.single("month", _("该月发放表已锁定，不能重新计算"), "locked")
    if PayrollRun.objects.filter(district=district, month__lt=month, status=PayrollStatus.COMPUTED).exists():
        raise ValidationFailed.single("month", _("更早月份的发放表尚未锁定"), "earlier_unlocked")


def _require_district_in_scope(actor: AnyUser, district_id: int) -> None:
    """A payroll is district work: the actor is placed at that district (or sees everything)."""
    scope = scope_for(actor)
    if scope.kind is ScopeKind.ALL or (scope.kind is ScopeKind.DISTRICT and scope.area_id == district_id):
        return
    raise Forbidden(_("只有本区的区级账号可以编制和锁定月度发放表"))


@transaction.atomic
def payroll_compute(*, actor: AnyUser, district: Area, month: date, today: date | None = None) -> PayrollRun:
    """Compute (or recompute, while unlocked) the district's payroll for `month`. See the module
    docstring for what is guaranteed. Needs `benefits.payroll` and the district in the actor's scope."""
    require_perm(actor, Perm.BENEFITS_PAYROLL)
    _require_district_in_scope(actor, district.pk)
    today = today or timezone.localdate()
    _check_month(district, month, today)
    run = PayrollRun.objects.select_for_update().filter(district=district, month=month).first()
    if run is not None and run.status == PayrollStatus.LOCKED:  # locked meanwhile
        raise ValidationFailed.single("month", _("该月发放表已锁定，不能重新计算"), "locked")
    now = timezone.now()
    if run is None:
        run = PayrollRun.objects.create(district=district, month=month, computed_at=now, computed_by=cast(User, actor))
    else:
        run.lines.all().delete()
    policy = district_policy(district_id=district.pk)
    licensed = licensed_institution_ids()
    draft = Draft()
    _resident_lines(run, policy, draft, licensed)
    _bed_lines(run, policy, draft, licensed)
    _instalment_lines(run, draft)
    _corrections(run, policy, draft, licensed)
    _refuse_examples(draft)
    _write_lines(run, draft.lines)
    run.total = rules.yuan(sum(line.amount_fen for line in draft.lines))
    run.line_count = len(draft.lines)
    run.parameters = draft.parameters
    run.stops = {str(k): v for k, v in draft.stops.items()}
    run.computed_at, run.computed_by, run.status = now, cast(User, actor), PayrollStatus.COMPUTED
    run.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="payroll_run",
        entity_id=str(run.public_id),
        summary="计算月度发放表",
        fields=["month", "total", "line_count"],
        district=district.pk,
    )
    return run


@transaction.atomic
def payroll_lock(*, actor: AnyUser, run: PayrollRun) -> PayrollRun:
    """Lock a computed run: from now on its lines are final. Ends the entitlements whose facts stopped
    (with the day and reason the run found) and one-off entitlements whose every instalment is paid."""
    require_perm(actor, Perm.BENEFITS_PAYROLL)
    _require_district_in_scope(actor, run.district_id)
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status == PayrollStatus.LOCKED:
        raise ValidationFailed.single("status", _("该月发放表已锁定"), "locked")
    run.status, run.locked_at, run.locked_by = PayrollStatus.LOCKED, timezone.now(), actor  # type: ignore[assignment]
    run.save(update_fields=["status", "locked_at", "locked_by", "updated_at"])
    for pk, stop in run.stops.items():
        Entitlement.objects.filter(pk=int(pk), ends_on__isnull=True).update(
            ends_on=date.fromisoformat(stop["on"]), stop_reason=stop["reason"], status=EntitlementStatus.ENDED
        )
    paid_entitlements = set(run.lines.filter(kind=LineKind.INSTALMENT).values_list("entitlement_id", flat=True))
    unpaid = set(
        Instalment.objects.filter(entitlement_id__in=paid_entitlements)
        .exclude(paid_by__run__status=PayrollStatus.LOCKED)
        .values_list("entitlement_id", flat=True)
    )
    by_entitlement: dict[int, date] = defaultdict(lambda: run.month)
    for pk in paid_entitlements - unpaid:
        Entitlement.objects.filter(pk=pk, status=EntitlementStatus.ACTIVE).update(
            status=EntitlementStatus.ENDED, ends_on=by_entitlement[pk], stop_reason=StopReason.PAID_IN_FULL
        )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="payroll_run",
        entity_id=str(run.public_id),
        summary="锁定月度发放表",
        fields=["status"],
        district=run.district_id,
    )
    return run
