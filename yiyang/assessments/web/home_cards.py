"""The assessments domain's home cards: records waiting for review, an assessor's own unfinished
records, elders due for (re)assessment (for a helper: a reminder to have theirs reassessed), and a
helper's or family member's elders' current level."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.assessments.choices import DueReason
from yiyang.assessments.models import Assessment
from yiyang.assessments.presentation import scale_short
from yiyang.assessments.record_settings import record_settings
from yiyang.assessments.selectors import (
    ability_reassessments_due,
    assessments_awaiting_review,
    assessments_due_counts,
    assessor_worklist,
    current_ability_levels,
)
from yiyang.audit.lists import audit_card_rows_shown
from yiyang.core.workspace import CardLink, HomeCard, Text, register_home_card
from yiyang.elders.selectors import elders_in_personal_care
from yiyang.organisations.choices import BED_KINDS

# Rows listed on a card; the list pages have the rest.
CARD_ROWS = 5
PERSONAL_LIMIT = 30


def _records_card(
    user: AnyUser,
    qs: QuerySet[Assessment],
    *,
    key: str,
    title: Text,
    at: str,
    empty_hint: Text,
    link: CardLink,
) -> HomeCard:
    """A card listing the first CARD_ROWS records of `qs` (audited as shown) with the total; `at` names
    the column the card's template shows beside each record."""
    records = list(qs[:CARD_ROWS])
    total = qs.count() if len(records) == CARD_ROWS else len(records)
    audit_card_rows_shown(actor=user, entity_type="assessment", rows=records)
    rows = [{"record": r, "scale": scale_short(r.scale)} for r in records]
    return HomeCard(
        key=key,
        title=title,
        template="assessments/cards/records.html",
        data={"total": total, "rows": rows, "at": at},
        empty=not records,
        empty_hint=empty_hint,
        links=(link,),
    )


@register_home_card("assessments.review", order=30)
def review_card(user: AnyUser) -> HomeCard | None:
    """Submitted assessments in reach waiting for review: how many, and the oldest few with links.
    Accounts with `assessments.review` only."""
    if not has_perm(user, Perm.ASSESSMENTS_REVIEW):
        return None
    return _records_card(
        user,
        assessments_awaiting_review(user=user),
        key="assessments.review",
        title=_("待审核的评估"),
        at="submitted",
        empty_hint=_("暂无待审核的评估。评估员提交后会出现在这里。"),
        link=CardLink(_("全部待审核"), reverse("assessment-list") + "?status=submitted"),
    )


@register_home_card("assessments.worklist", order=31)
def worklist_card(user: AnyUser) -> HomeCard | None:
    """The assessor's own drafts and returned records, returned first. Accounts with
    `assessments.create` and the assessor qualification only."""
    if not has_perm(user, Perm.ASSESSMENTS_CREATE) or not getattr(user, "is_assessor", False):
        return None
    return _records_card(
        user,
        assessor_worklist(user=user),
        key="assessments.worklist",
        title=_("我的评估草稿与退回"),
        at="status",
        empty_hint=_("没有未完成的评估。在老年人档案中点“新建评估”开始一次评估。"),
        link=CardLink(_("能力评估"), reverse("assessment-list")),
    )


def _does_due_work(user: AnyUser) -> bool:
    scope = scope_for(user)
    if scope.kind in (ScopeKind.STREET, ScopeKind.COMMUNITY):
        return True
    return scope.kind is ScopeKind.ORGANISATION and scope.organisation_kind in BED_KINDS


@register_home_card("assessments.due", order=32)
def due_card(user: AnyUser) -> HomeCard | None:
    """Elders in reach whose ability record has lapsed or lapses within the reminder window, and
    returned records: the due page's figures. For street, station and institution accounts with
    `assessments.create`."""
    if not has_perm(user, Perm.ASSESSMENTS_CREATE) or not _does_due_work(user):
        return None
    counts = assessments_due_counts(user=user, today=timezone.localdate())
    rows = [
        {"reason": reason.label, "count": counts[reason.value], "key": reason.value}
        for reason in (DueReason.LAPSED, DueReason.LAPSING, DueReason.RETURNED)
    ]
    return HomeCard(
        key="assessments.due",
        title=_("待复评"),
        template="assessments/cards/due.html",
        data={"rows": rows, "total": sum(counts.values())},
        empty=not any(counts.values()),
        empty_hint=_("辖区内暂无到期或即将到期的评估。评估有效期临近结束时会出现在这里。"),
        links=(CardLink(_("待复评清单"), reverse("assessment-due")),),
    )


@register_home_card("assessments.reassess", order=33)
def reassess_reminder_card(user: AnyUser) -> HomeCard | None:
    """For a helper: their elders whose ability record has lapsed or lapses within the local policy's
    reminder window (`record_settings().reminder_days`, as on the staff due list), lapsed
    first, each with the day and whom to ask (the elder's station); helpers do not assess, so the card
    reminds them to have the station arrange it. Helpers with `assessments.view` only."""
    if scope_for(user).kind is not ScopeKind.HELPER or not has_perm(user, Perm.ASSESSMENTS_VIEW):
        return None
    today = timezone.localdate()
    days = record_settings().reminder_days
    qs = ability_reassessments_due(user=user, today=today, within_days=days)
    records = list(qs[:CARD_ROWS])
    total = qs.count() if len(records) == CARD_ROWS else len(records)
    audit_card_rows_shown(actor=user, entity_type="assessment", rows=records)
    rows = [
        {
            "record": r,
            "elder": r.elder,
            "lapsed": r.valid_until is not None and r.valid_until < today,
            "station": r.elder.service_station.name if r.elder.service_station else "",
        }
        for r in records
    ]
    return HomeCard(
        key="assessments.reassess",
        title=_("需要复评的老人"),
        template="assessments/cards/reassess.html",
        data={"rows": rows, "total": total, "days": days},
        empty=not records,
        empty_hint=_("您负责的老人在%(days)s天内没有到期的能力评估。评估快到期时会出现在这里，届时请联系站点安排复评。")
        % {"days": days},
    )


@register_home_card("assessments.latest", order=35)
def latest_level_card(user: AnyUser) -> HomeCard | None:
    """For a helper or family member: each of their elders' current ability level (confirmed and still
    valid), or that there is none yet."""
    if scope_for(user).kind not in (ScopeKind.HELPER, ScopeKind.FAMILY) or not has_perm(user, Perm.ASSESSMENTS_VIEW):
        return None
    elders = list(elders_in_personal_care(user=user)[:PERSONAL_LIMIT])
    levels = current_ability_levels(user=user, elders=elders, today=timezone.localdate())
    audit_card_rows_shown(actor=user, entity_type="assessment", rows=list(levels.values()))
    return HomeCard(
        key="assessments.latest",
        title=_("能力等级"),
        template="assessments/cards/latest.html",
        data={"rows": [{"elder": e, "record": levels.get(e.pk)} for e in elders]},
        empty=not elders,
        empty_hint=_("还没有关联的老人，因此没有评估结果。"),
    )
