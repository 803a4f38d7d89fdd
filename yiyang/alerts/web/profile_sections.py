"""The 告警记录 section of the elder profile (open alerts first, then the recent closed ones) and the
alerts' timeline entries (opened; closed with the outcome)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser
from yiyang.accounts.permissions import Perm
from yiyang.alerts.presentation import severity_tone
from yiyang.alerts.selectors import elder_alert_history, elder_alerts_recent
from yiyang.core.workspace import (
    AuditedRows,
    ProfileSection,
    TimelineEntry,
    register_profile_section,
    register_timeline_source,
)
from yiyang.elders.access import elder_shown_with
from yiyang.elders.models import Elder


@register_profile_section("alerts.history", order=80)
def alert_history_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """The elder's alerts in the viewer's reach (severity, type, opened at, status, link to the alert
    page) for viewers with `alerts.view` who reach the elder; None otherwise."""
    if not elder_shown_with(user=user, elder=elder, perm=Perm.ALERTS_VIEW):
        return None
    alerts = elder_alert_history(user=user, elder=elder)
    return ProfileSection(
        key="alerts.history",
        title=_("告警记录"),
        template="alerts/sections/history.html",
        data={"alerts": [{"alert": a, "tone": severity_tone(a.severity)} for a in alerts]},
        empty=not alerts,
        empty_hint=_("没有告警记录。绑定设备并同意智能监测后，设备触发的告警会列在这里。"),
        shown=(AuditedRows("alert", alerts),),
    )


@register_timeline_source("alerts", order=80)
def alert_timeline(user: AnyUser, elder: Elder, limit: int) -> list[TimelineEntry]:
    """Each alert's opening and, once closed, its closing with the outcome, for the alerts in the
    viewer's reach."""
    entries: list[TimelineEntry] = []
    for alert in elder_alerts_recent(user=user, elder=elder, limit=limit):
        url = reverse("alert-detail", kwargs={"public_id": alert.public_id})
        tone = severity_tone(alert.severity)
        what = f"{alert.get_severity_display()} · {alert.alert_type_label}"
        entries.append(
            TimelineEntry(
                at=alert.opened_at,
                source="alerts",
                title=_("告警产生"),
                detail=what,
                url=url,
                tone=tone,
                entity_type="alert",
                record=alert,
            )
        )
        if alert.closed_at:
            outcome = alert.get_close_code_display() or alert.get_status_display()
            entries.append(
                TimelineEntry(
                    at=alert.closed_at,
                    source="alerts",
                    title=_("告警关闭"),
                    detail=f"{what} · {outcome}",
                    url=url,
                    entity_type="alert",
                    record=alert,
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
