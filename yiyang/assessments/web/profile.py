"""The 能力评估 section of the elder profile: current ability level and LTC grade with history, the
records in progress, and the link to start a new assessment."""

from typing import Any

from django.utils import timezone

from yiyang.accounts.access import AnyUser, has_perm
from yiyang.accounts.permissions import Perm
from yiyang.assessments.choices import AssessmentStatus
from yiyang.assessments.presentation import scale_short, scale_title
from yiyang.assessments.selectors import assessments_in_reach, elder_current_levels
from yiyang.assessments.services import is_qualified_assessor
from yiyang.elders.models import Elder


def assessment_profile_context(*, user: AnyUser, elder: Elder) -> dict[str, Any]:
    """Template context for the profile section; empty levels for accounts without `assessments.view`."""
    if not has_perm(user, Perm.ASSESSMENTS_VIEW):
        return {"assessment_section": None}
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
        "assessment_section": {
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
    }
