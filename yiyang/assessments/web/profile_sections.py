"""The 能力评估 section of the elder profile (current ability level and LTC grade with history, the
records in progress, the link to start a new assessment) and the assessments' timeline entries."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser
from yiyang.accounts.permissions import Perm
from yiyang.assessments.choices import AssessmentStatus
from yiyang.assessments.presentation import scale_short, scale_title
from yiyang.assessments.selectors import assessments_in_reach, elder_current_levels
from yiyang.assessments.services import is_qualified_assessor
from yiyang.core.workspace import (
    AuditedRows,
    ProfileSection,
    TimelineEntry,
    register_profile_section,
    register_timeline_source,
)
from yiyang.elders.access import elder_shown_with
from yiyang.elders.models import Elder


@register_profile_section("assessments.levels", order=50)
def assessment_levels_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """The section for viewers with `assessments.view` who reach the elder (None otherwise). Confirmed levels are the
    elder's standing facts; records in progress only those in the viewer's reach. Empty (with a hint)
    when there is nothing and the viewer may not start an assessment."""
    if not elder_shown_with(user=user, elder=elder, perm=Perm.ASSESSMENTS_VIEW):
        return None
    data = _levels_data(user=user, elder=elder)
    shown = [row["assessment"] for row in data["history"]] + [row["assessment"] for row in data["in_progress"]]
    return ProfileSection(
        key="assessments.levels",
        title=_("能力评估"),
        template="assessments/sections/levels.html",
        data=data,
        empty=not data["has_any"] and not data["can_create"],
        empty_hint=_("尚未评估。由具备评估员资格的工作人员在本页发起评估。"),
        shown=(AuditedRows("assessment", shown),),
    )


def _levels_data(*, user: AnyUser, elder: Elder) -> dict[str, Any]:
    today = timezone.localdate()
    levels = elder_current_levels(elder=elder, today=today)
    in_progress = list(
        assessments_in_reach(user=user)
        .filter(elder=elder)
        .exclude(status=AssessmentStatus.CONFIRMED)
        .select_related("assessor")
        .order_by("-assessed_on", "-id")
    )
    history = sorted(
        [*levels.ability.history, *levels.long_term_care.history, *levels.others],
        key=lambda a: (a.assessed_on, a.pk),
        reverse=True,
    )
    current_ids = {a.pk for a in (levels.ability.current, levels.long_term_care.current) if a is not None}
    superseded_ids = {a.supersedes_id for a in history if a.supersedes_id is not None}
    return {
        "elder": elder,
        "ability": levels.ability,
        "long_term_care": levels.long_term_care,
        "history": [
            {
                "assessment": a,
                "scale_title": scale_short(a.scale),
                "is_current": a.pk in current_ids,
                "is_superseded": a.pk in superseded_ids,
                "is_lapsed": bool(a.valid_until and a.valid_until < today),
            }
            for a in history
        ],
        "in_progress": [{"assessment": a, "scale_title": scale_title(a.scale)} for a in in_progress],
        "has_any": levels.has_any or bool(in_progress),
        "can_create": is_qualified_assessor(user),
    }


@register_timeline_source("assessments", order=50)
def assessment_timeline(user: AnyUser, elder: Elder, limit: int) -> list[TimelineEntry]:
    """Drafted, submitted and confirmed, for the assessments in the viewer's reach (a family member's
    reach holds confirmed results only, so they see no staff work in progress)."""
    records = list(
        assessments_in_reach(user=user).filter(elder=elder).select_related("assessor").order_by("-created_at")[:limit]
    )
    entries: list[TimelineEntry] = []
    for a in records:
        url = reverse("assessment-detail", kwargs={"public_id": a.public_id})
        title = scale_short(a.scale)
        common: dict[str, Any] = {"source": "assessments", "url": url, "entity_type": "assessment", "record": a}
        # A record entered after its submission (back-filled history, the demo seed) has no drafting moment.
        if a.submitted_at is None or a.created_at <= a.submitted_at:
            entries.append(TimelineEntry(**common, at=a.created_at, title=_("开始评估"), detail=title))
        if a.submitted_at:
            entries.append(TimelineEntry(**common, at=a.submitted_at, title=_("提交评估"), detail=title))
        if a.confirmed_at:
            detail = f"{title} · {a.level_label}" if a.level_name else title
            entries.append(
                TimelineEntry(**common, at=a.confirmed_at, title=_("评估确认"), detail=detail, tone="success")
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
