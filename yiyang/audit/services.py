from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict

from django.utils import translation

from yiyang.accounts.access import AnyUser, require_perm, scope_for
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.audit.context import current_request_meta
from yiyang.audit.models import AuditAction, AuditEvent
from yiyang.audit.selectors import AuditFilters, audit_event_list

# Summaries are stored, so they are written in the platform's language whatever the user's is.
AUDIT_LANGUAGE = "zh-hans"


def audit_record(
    *,
    actor: AnyUser | None,
    action: AuditAction,
    entity_type: str,
    entity_id: str = "",
    summary: str | Callable[[], str] = "",
    fields: Iterable[str] = (),
    district: Area | int | None = None,
    record_ids: Iterable[str] = (),
    status_code: int | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event with the current request's IP, client and path.

    Callers pass identifiers and field names only, never personal values. Runs inside the
    caller's transaction, so a write that rolls back leaves no event claiming it happened.
    The event is appended to the hash chain (yiyang.audit.chain); it can never be changed afterwards.
    `actor_label` overrides the label for events without an authenticated actor (a failed login
    records the username as typed).

    The summary is always Chinese (AUDIT_LANGUAGE). One that uses translatable text, such as a
    choice's `.label`, is passed as a callable (`lambda: f"…{BedState(s).label}"`) and built here
    with that language active.
    """
    with translation.override(AUDIT_LANGUAGE):
        text = str(summary() if callable(summary) else summary)
    meta = current_request_meta()
    district_id = district.pk if isinstance(district, Area) else district
    if actor_label is None:
        actor_label = actor.get_username() if actor is not None and actor.is_authenticated else "system"
    return AuditEvent.objects.create(
        actor=actor if isinstance(actor, User) else None,
        actor_label=actor_label[:150],
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        summary=text[:300],
        fields=sorted(set(fields)),
        record_ids=[str(i) for i in record_ids],
        district_id=district_id,
        ip_address=meta.ip_address,
        user_agent=meta.user_agent,
        path=meta.path,
        method=meta.method,
        status_code=status_code,
    )


# One list row names at most this many records; a page larger than this is a bug elsewhere.
LIST_VIEW_MAX_IDS = 500


def audit_list_view(
    *,
    actor: AnyUser | None,
    entity_type: str,
    ids: Iterable[str],
    district: Area | int | None = None,
    summary: str = "",
) -> AuditEvent:
    """Record, in ONE event, that `actor` was shown the records `ids` of `entity_type` in a list.

    The event's action is VIEW with no single entity id; `record_ids` holds the ids as strings in
    display order (at most LIST_VIEW_MAX_IDS, the rest counted in the summary). Call it once per
    request, with the ids of the page actually shown.
    """
    shown = [str(i) for i in ids]
    kept = shown[:LIST_VIEW_MAX_IDS]
    text = summary or f"查看列表（{len(shown)}条）"
    if len(shown) > len(kept):
        text = f"{text}；另有{len(shown) - len(kept)}条未逐条记录"
    return audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        entity_type=entity_type,
        summary=text,
        district=district,
        record_ids=kept,
    )


def audit_event_export(*, actor: AnyUser, filters: AuditFilters, limit: int) -> Iterator[AuditEvent]:
    """The audit events in reach matching `filters`, newest first, at most `limit`.

    Raises Forbidden without `audit.view`. The export itself is recorded (row count and filters).
    """
    require_perm(actor, Perm.AUDIT_VIEW)
    # The log as it stood when asked for: the export's own event is not part of it.
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    qs = audit_event_list(user=actor, filters=filters).filter(id__lte=newest)
    total = qs.count()
    described = "，".join(f"{k}={v}" for k, v in asdict(filters).items() if v) or "无"
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        entity_type="audit_event",
        summary=f"导出审计日志{min(total, limit)}行（符合条件共{total}行）；筛选：{described}",
        district=scope_for(actor).district_id,
    )
    return qs[:limit].iterator(chunk_size=2000)
