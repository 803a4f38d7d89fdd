from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from yiyang.accounts.access import AnyUser, require_perm, scope_for
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.audit.chain import HEAD_ID, lock_head
from yiyang.audit.context import current_request_meta
from yiyang.audit.models import AuditAction, AuditChainHead, AuditEvent
from yiyang.audit.selectors import AuditFilters, audit_event_list
from yiyang.core.errors import ValidationFailed

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
    checkpoint_hash: str = "",
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
        checkpoint_hash=checkpoint_hash,
    )


# One list row names at most this many records; a page larger than this is a bug elsewhere.
LIST_VIEW_MAX_IDS = 500


def audit_list_view(
    *,
    actor: AnyUser | None,
    entity_type: str,
    ids: Iterable[object],
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


# Cybersecurity Law of the PRC art. 21(3): network logs are kept for no less than six months.
# 183 days covers any six calendar months; AUDIT_RETENTION_DAYS may only lengthen it.
RETENTION_FLOOR_DAYS = 183


def retention_days() -> int:
    """Days an audit event is kept at least: AUDIT_RETENTION_DAYS, never below RETENTION_FLOOR_DAYS."""
    return max(RETENTION_FLOOR_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", RETENTION_FLOOR_DAYS)))


def earliest_purge_cutoff(today: date | None = None) -> date:
    """The latest `before` date a purge accepts: events from this day on are always kept."""
    return (today or timezone.localdate()) - timedelta(days=retention_days())


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    last_sequence: int | None
    checkpoint: AuditEvent | None


def audit_purge(*, before: date, actor: AnyUser | None = None) -> PurgeResult:
    """Delete the audit events from before local day `before`, oldest first, keeping the chain verifiable.

    Refuses (ValidationFailed on `before`) a date later than `earliest_purge_cutoff()`, so nothing
    younger than the retention period can go. Only a prefix of the chain is deleted (the events
    before the first one at or after the cut), and a `purge` event carrying the last deleted event's hash
    as its checkpoint is appended in the same transaction; `verify_chain` accepts the oldest kept
    event only if its prev_hash matches that checkpoint. Nothing older: nothing deleted, no event.
    """
    latest = earliest_purge_cutoff()
    if before > latest:
        raise ValidationFailed.single(
            "before", f"审计日志至少保留{retention_days()}天，只能清理{latest:%Y-%m-%d}之前的记录", "retention"
        )
    cutoff = timezone.make_aware(datetime.combine(before, time.min))
    with transaction.atomic():
        lock_head()
        # The prefix before the first event at or after the cut: never an event younger than the cut,
        # even if times were not monotonic along the chain (a bulk load of past events).
        events = AuditEvent._base_manager.all()
        first_kept = events.filter(at__gte=cutoff).order_by("sequence").values_list("sequence", flat=True).first()
        if first_kept is not None:
            events = events.filter(sequence__lt=first_kept)
        last = events.order_by("-sequence").values_list("sequence", "hash").first()
        if last is None:
            return PurgeResult(deleted=0, last_sequence=None, checkpoint=None)
        last_sequence, last_hash = last
        # The flag the database triggers look for; other transactions never see it set.
        AuditChainHead.objects.filter(pk=HEAD_ID).update(purging=True)
        deleted, _ = AuditEvent._base_manager.filter(sequence__lte=last_sequence).delete()
        AuditChainHead.objects.filter(pk=HEAD_ID).update(purging=False)
        checkpoint = audit_record(
            actor=actor,
            action=AuditAction.PURGE,
            entity_type="audit_event",
            entity_id=str(last_sequence),
            summary=f"清理{before:%Y-%m-%d}之前的审计日志{deleted}条（序号1至{last_sequence}中尚存者）",
            checkpoint_hash=last_hash,
        )
    return PurgeResult(deleted=deleted, last_sequence=last_sequence, checkpoint=checkpoint)
