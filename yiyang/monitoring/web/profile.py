"""The 智能监测 section of the elder profile: the elder's monitoring flags and override, and (for
staff who may change it) the editor. Also the partial the section's HTMX form swaps in."""

from typing import Any

from yiyang.accounts.access import AnyUser, has_perm
from yiyang.accounts.permissions import Perm
from yiyang.core.errors import FieldError
from yiyang.elders.models import Elder
from yiyang.monitoring.choices import MonitoringFlag
from yiyang.monitoring.selectors import elder_monitoring_profile, elder_rules_table
from yiyang.monitoring.services import elder_monitoring_profile_view
from yiyang.monitoring.web.display import display_rows, document_text


def monitoring_profile_context(
    *,
    user: AnyUser,
    elder: Elder,
    errors: list[FieldError] | None = None,
    posted: dict[str, Any] | None = None,
    saved: bool = False,
) -> dict[str, Any]:
    """Template context for the section; `monitoring_section` is None without `monitoring.rules.view`.
    `posted` (flags, override text, conditions, medication, note) refills the editor after a refused save."""
    if not has_perm(user, Perm.MONITORING_RULES_VIEW):
        return {"monitoring_section": None}
    profile = elder_monitoring_profile(elder=elder)
    if profile is not None and posted is None and not saved:
        elder_monitoring_profile_view(actor=user, elder=elder)  # flags, conditions, medication: health data
    table = elder_rules_table(elder=elder, profile=profile)
    flags = set(profile.flags) if profile else set()
    override_text = document_text(profile.override) if profile else ""
    note = profile.note if profile else ""
    conditions = profile.conditions if profile else ""
    medication = profile.medication if profile else ""
    if posted is not None:
        flags, override_text, note = set(posted["flags"]), posted["override"], posted["note"]
        conditions, medication = posted["conditions"], posted["medication"]
    return {
        "monitoring_section": {
            "elder": elder,
            "profile": profile,
            "has_record": profile is not None and not profile.is_empty,
            "flags": [
                {"value": flag.value, "label": flag.label, "checked": flag.value in flags} for flag in MonitoringFlag
            ],
            "active_flags": [flag.label for flag in MonitoringFlag if profile and flag.value in profile.flags],
            "overridden": display_rows(table.overridden),
            "problem": table.problem,
            "override_text": override_text,
            "note": note,
            "conditions": conditions,
            "medication": medication,
            "can_change": has_perm(user, Perm.MONITORING_PROFILE_CHANGE),
            "errors": errors or [],
            "saved": saved,
            "open": bool(errors),
            "district_id": elder.district.public_id,
        }
    }
