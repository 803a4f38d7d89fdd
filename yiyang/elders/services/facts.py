"""Dated changes of an elder's facts (economic status, household registration, on the roll or not).

Benefits are paid by these facts day by day, so a change carries the day it takes effect, which may be
in the past (a backdated 低保 decision, a death registered a week late). The elder row keeps the fact
as of today; `ElderFactChange` keeps every change, so any past day can be replayed.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector
from yiyang.elders.choices import EconomicStatus, ElderStatus, HouseholdRegistration
from yiyang.elders.models import Elder, ElderFactChange, FactField

FACT_CHOICES: dict[str, type] = {
    FactField.ECONOMIC_STATUS: EconomicStatus,
    FactField.HOUSEHOLD_REGISTRATION: HouseholdRegistration,
    FactField.STATUS: ElderStatus,
}
BASIS_MAX = 300
# How far back a change may take effect: a correction older than this is a matter for the archive,
# not for a payroll (and a typo such as 1026 would otherwise rewrite a millennium of facts).
BACKDATE_LIMIT_DAYS = 3 * 366


def fact_change_build(
    *,
    elder: Elder,
    field: str,
    new_value: str,
    effective_on: date,
    recorded_at: datetime,
    recorded_by: AnyUser | None = None,
    basis: str = "",
) -> ElderFactChange:
    """An unsaved change row, the current value taken from the elder (for services and bulk seeding)."""
    return ElderFactChange(
        elder=elder,
        field=field,
        old_value=getattr(elder, field),
        new_value=new_value,
        effective_on=effective_on,
        recorded_at=recorded_at,
        recorded_by=recorded_by if recorded_by is not None and recorded_by.is_authenticated else None,
        basis=basis,
    )


def fact_on(elder: Elder, field: str, day: date) -> tuple[str, bool]:
    """The value of the elder's `field` in force on `day` by replaying its recorded changes (the elder
    row's value when there are none), and whether some change takes effect after `day`."""
    rows = list(
        ElderFactChange.objects.filter(elder=elder, field=field)
        .order_by("effective_on", "recorded_at", "id")
        .values_list("effective_on", "old_value", "new_value")
    )
    earlier = [row for row in rows if row[0] <= day]
    later = [row for row in rows if row[0] > day]
    if earlier:
        return earlier[-1][2], bool(later)
    if later:
        return later[0][1], True
    return str(getattr(elder, field)), False


@transaction.atomic
def elder_fact_change(
    *,
    actor: AnyUser,
    elder: Elder,
    field: str,
    new_value: str,
    effective_on: date,
    basis: str = "",
    today: date | None = None,
    pre_errors: ErrorCollector | None = None,
) -> ElderFactChange:
    """Record that from `effective_on` the elder's `field` is `new_value`, for an elder already accessed
    with `elders.change`.

    Guarantees: the field is one of the dated facts and the value one of its choices; the day is not in
    the future and not more than about three years back; every problem is reported at once
    (ValidationFailed) and then nothing is written. The change row is appended (never edited) with,
    as `old_value`, the value in force on that day by replaying the elder's changes; the elder row
    takes the new value unless a change of the same fact takes effect later (a backdated correction
    of an earlier period leaves today's value alone, so the row always equals the replay for today).
    The change is audited with the field name, not values. A change to the value the fact already has
    on that day is refused as a no-op. Problems a form found (`pre_errors`) are reported with the
    service's own, and then nothing is written.
    """
    require_perm(actor, Perm.ELDERS_CHANGE)
    today = today or timezone.localdate()
    errors = pre_errors or ErrorCollector()
    choices = FACT_CHOICES.get(field)
    if choices is None:
        errors.add("field", _("该事项不能按日期变更"), "invalid_choice")
    elif new_value not in choices.values:  # type: ignore[attr-defined]
        errors.add("new_value", _("不是有效的选项"), "invalid_choice")
    if effective_on > today:
        errors.add("effective_on", _("生效日期不能晚于今天"), "future")
    elif (today - effective_on).days > BACKDATE_LIMIT_DAYS:
        errors.add("effective_on", _("生效日期不能早于三年前"), "too_old")
    if len(basis) > BASIS_MAX:
        errors.add("basis", _("不能超过%(n)d个字符") % {"n": BASIS_MAX}, "max_length")
    if errors.errors:
        errors.raise_if_any(_("状况变更有误"))
    # One change of an elder's facts at a time: the replay below must see every earlier change.
    Elder.objects.select_for_update().filter(pk=elder.pk).values_list("pk").get()
    value_then, superseded = fact_on(elder, field, effective_on)
    if value_then == new_value:
        errors.add("new_value", _("与当前状况相同，无需变更"), "unchanged")
    errors.raise_if_any(_("状况变更有误"))
    change = fact_change_build(
        elder=elder,
        field=field,
        new_value=new_value,
        effective_on=effective_on,
        recorded_at=timezone.now(),
        recorded_by=actor,
        basis=basis.strip(),
    )
    change.old_value = value_then
    change.save()
    if not superseded:
        setattr(elder, field, new_value)
        elder.save(update_fields=[field, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="elder",
        entity_id=str(elder.public_id),
        summary="登记老年人状况变更",
        fields=[field, "effective_on"],
        district=elder.district_id,
    )
    return change
