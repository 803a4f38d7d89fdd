"""Yearly budgets per district and scheme."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.benefits.choices import Scheme
from yiyang.benefits.models import Budget
from yiyang.benefits.payroll_access import DistrictNotFound, payroll_districts_in_reach
from yiyang.core.errors import ErrorCollector

# Budget.amount is Decimal(14, 2): below a trillion yuan.
MAX_BUDGET = Decimal("999999999999.99")
YEARS = (2000, 2100)


def _amount(raw: Any, errors: ErrorCollector) -> Decimal | None:
    if isinstance(raw, float | bool) or raw is None or raw == "":
        errors.add("amount", _("请填写预算金额（元，最多两位小数）"), "required" if raw in (None, "") else "invalid")
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        errors.add("amount", _("预算金额应为数字（元，最多两位小数）"), "invalid")
        return None
    if not value.is_finite():
        errors.add("amount", _("预算金额应为数字（元，最多两位小数）"), "invalid")
        return None
    if value < 0 or value > MAX_BUDGET:
        errors.add("amount", _("预算金额应在 0 至 999,999,999,999.99 元之间"), "out_of_range")
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.add("amount", _("预算金额最多两位小数（元到分）"), "invalid")
        return None
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def budget_set(*, actor: AnyUser, district: Area, scheme: str, year: int, amount: Any) -> Budget:
    """Set (create or replace) the district's budget for one scheme and year.

    Guarantees: needs `benefits.payroll` and the district in the actor's payroll reach (else
    DistrictNotFound); every bad field is reported at once (scheme, year 2000–2100, amount a Decimal
    ≥ 0 with at most two places, never a float); the amount is stored with two places; audited with
    the old and the new amount's field names only."""
    require_perm(actor, Perm.BENEFITS_PAYROLL)
    if not payroll_districts_in_reach(user=actor).filter(pk=district.pk).exists():
        raise DistrictNotFound
    errors = ErrorCollector()
    if scheme not in Scheme.values:
        errors.add("scheme", _("未知的补贴项目"), "invalid_choice")
    if isinstance(year, bool) or not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        errors.add("year", _("年度应为 2000 至 2100 之间的整数"), "invalid")
    value = _amount(amount, errors)
    errors.raise_if_any(_("预算有误"))
    assert value is not None
    assert isinstance(actor, User)  # require_perm let no anonymous account through
    budget = Budget.objects.select_for_update().filter(district=district, scheme=scheme, year=year).first()
    created = budget is None
    if budget is None:
        budget = Budget.objects.create(district=district, scheme=scheme, year=year, amount=value, set_by=actor)
    else:
        budget.amount, budget.set_by = value, actor
        budget.save(update_fields=["amount", "set_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        entity_type="benefit_budget",
        entity_id=str(budget.public_id),
        summary="设置年度预算",
        fields=["amount"],
        district=district.pk,
    )
    budget.amount = value
    return budget
