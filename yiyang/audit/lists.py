"""The one call list views make to record which records a page showed (`audit_list_view`)."""

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Page

from yiyang.accounts.access import AnyUser, scope_for
from yiyang.audit.models import AuditAction, AuditEvent
from yiyang.audit.services import audit_list_view, audit_record


def audit_rows_shown(*, actor: AnyUser, entity_type: str, rows: Sequence[Any], summary: str = "") -> AuditEvent:
    """Record in one VIEW event that `actor` was shown `rows` (their public ids, in display order),
    under the actor's district. Called once per list page, API list and HTML list alike, even when
    the page is empty: the search itself is an access."""
    return audit_list_view(
        actor=actor,
        entity_type=entity_type,
        ids=[row.public_id for row in rows],
        district=scope_for(actor).district_id,
        summary=summary,
    )


def shown_by(actor: AnyUser, entity_type: str) -> Callable[[Sequence[Any]], AuditEvent]:
    """`audit_rows_shown` for `actor` and `entity_type`, as the `shown` hook of `core.api_views.paginated`."""
    return lambda rows: audit_rows_shown(actor=actor, entity_type=entity_type, rows=rows)


def audit_record_shown(*, actor: AnyUser, entity_type: str, record: Any, summary: str = "") -> AuditEvent:
    """Record that `actor` opened one record's page or API detail (a VIEW event naming its public id,
    under the record's district, or the actor's for records without one, such as accounts)."""
    return audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        entity_type=entity_type,
        entity_id=str(record.public_id),
        summary=summary or "查看详情",
        district=getattr(record, "district_id", None) or scope_for(actor).district_id,
    )


def audit_page_shown(*, actor: AnyUser, entity_type: str, page: Page[Any]) -> AuditEvent:
    """`audit_rows_shown` for an HTML list's page; the page's rows are read once and kept in it."""
    page.object_list = list(page.object_list)
    return audit_rows_shown(actor=actor, entity_type=entity_type, rows=page.object_list)


def audit_card_rows_shown(*, actor: AnyUser, entity_type: str, rows: Sequence[Any]) -> AuditEvent | None:
    """`audit_rows_shown` for a home card: a card is not a search the viewer made, so a card that
    names no record records nothing."""
    if not rows:
        return None
    return audit_rows_shown(actor=actor, entity_type=entity_type, rows=rows)
