"""The alerts domain's home card: open alerts in the viewer's reach (for family, their elder's)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.alerts.choices import Severity
from yiyang.alerts.selectors import AlertFilters, alert_list, alert_open_by_severity
from yiyang.audit.lists import audit_card_rows_shown
from yiyang.core.workspace import CardLink, HomeCard, register_home_card

CARD_ROWS = 5
TONES = {
    Severity.EMERGENCY: "danger",
    Severity.URGENT: "warning",
    Severity.WATCH: "info",
    Severity.TECHNICAL: "secondary",
}


@register_home_card("alerts.open", order=20)
def open_alerts_card(user: AnyUser) -> HomeCard | None:
    """Alerts in reach that are not closed, by severity, and the most pressing few with links;
    accounts with `alerts.view` only (a family member sees their own elder's)."""
    if not has_perm(user, Perm.ALERTS_VIEW):
        return None
    counts = alert_open_by_severity(user=user)
    alerts = list(alert_list(user=user, filters=AlertFilters(status="active"))[:CARD_ROWS])
    audit_card_rows_shown(actor=user, entity_type="alert", rows=alerts)
    family = scope_for(user).kind is ScopeKind.FAMILY
    return HomeCard(
        key="alerts.open",
        title=_("未关闭的告警"),
        template="alerts/cards/open.html",
        data={
            "total": sum(counts.values()),
            "severities": [
                {"key": key, "label": Severity(key).label, "count": n, "tone": TONES[Severity(key)]}
                for key, n in counts.items()
            ],
            "alerts": alerts,
        },
        empty=not alerts,
        empty_hint=_("您的家人目前没有未处理的告警。有新告警时会显示在这里。")
        if family
        else _("目前没有未关闭的告警。新的告警会实时出现在告警台。"),
        links=(CardLink(_("告警台"), reverse("alert-console")),),
    )
