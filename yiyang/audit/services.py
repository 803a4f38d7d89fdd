from collections.abc import Iterable

from yiyang.accounts.access import AnyUser
from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.audit.context import current_request_meta
from yiyang.audit.models import AuditAction, AuditEvent


def audit_record(
    *,
    actor: AnyUser | None,
    action: AuditAction,
    entity_type: str,
    entity_id: str = "",
    summary: str = "",
    fields: Iterable[str] = (),
    district: Area | int | None = None,
) -> AuditEvent:
    """Append one audit event with the current request's IP, client and path.

    Callers pass identifiers and field names only, never personal values. Runs inside the
    caller's transaction, so a write that rolls back leaves no event claiming it happened.
    """
    meta = current_request_meta()
    district_id = district.pk if isinstance(district, Area) else district
    return AuditEvent.objects.create(
        actor=actor if isinstance(actor, User) else None,
        actor_label=(actor.get_username() if actor is not None and actor.is_authenticated else "system"),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary[:300],
        fields=sorted(set(fields)),
        district_id=district_id,
        ip_address=meta.ip_address,
        user_agent=meta.user_agent,
        path=meta.path,
    )
