"""Changing a district's escalation policy. Open alerts keep the policy they copied when they opened."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, is_placed_at_district, require_perm, scope_for
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.alerts.choices import Severity
from yiyang.alerts.models import EscalationPolicy
from yiyang.alerts.policy import validate_policy
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import FieldError, Forbidden, NotFound, ValidationFailed


def district_of(actor: AnyUser) -> Area:
    """The district whose policy the account manages (its scope's district)."""
    district_id = scope_for(actor).district_id
    district = Area.objects.filter(pk=district_id).first() if district_id else None
    if district is None:
        raise NotFound(_("没有可管理的区"))
    return district


def escalation_policy_require_changer(*, actor: AnyUser, district: Area) -> None:
    """Raise Forbidden unless `actor` may change `district`'s escalation policies: `alerts.configure`
    held by an account placed at the district itself (or a superuser). Views call it before reading
    the body, so a caller without the right never learns the body's rules."""
    require_perm(actor, Perm.ALERTS_CONFIGURE)
    if not is_placed_at_district(actor, district):
        raise Forbidden(_("只有区级主管人员可以修改辖区告警升级策略"))


@transaction.atomic
def escalation_policy_set(
    *, actor: AnyUser, district: Area, severity: str, policy: dict[str, Any], source: str
) -> EscalationPolicy:
    """Set (or replace) the district's policy for one severity. Needs `alerts.configure` held by an
    account placed at the district itself (a district officer of it) or a superuser: street,
    community and organisation accounts never change a whole district's policy, even when granted.
    The document is validated (ordered steps from 0 s, known recipients) and `source` (where the
    override's timings come from, e.g. the notice that set them) must not be blank. Audited. Alerts
    already open keep their snapshot; only alerts opened afterwards use the new policy."""
    escalation_policy_require_changer(actor=actor, district=district)
    if severity not in Severity.values:
        raise ValidationFailed.single("severity", _("严重程度无效"), "invalid_choice")
    source = (source or "").strip()
    errors = [FieldError(f, r) for f, r in validate_policy(policy)]
    if not source:
        errors.append(FieldError("source", _("请填写策略依据（来源）"), "required"))
    if errors:
        raise ValidationFailed(_("升级策略有误"), errors=errors)
    clean = {
        "steps": policy["steps"],
        "reescalate_after_seconds": policy.get("reescalate_after_seconds"),
        "reescalate_notify": policy.get("reescalate_notify", []),
        "source": source,
    }
    row, _created = EscalationPolicy.objects.update_or_create(
        district=district,
        severity=severity,
        defaults={"policy": clean, "source": source[:300], "updated_by": actor if isinstance(actor, User) else None},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="escalation_policy",
        entity_id=str(row.public_id),
        summary=f"修改告警升级策略：{severity}",
        fields=["policy"],
        district=district,
    )
    return row
