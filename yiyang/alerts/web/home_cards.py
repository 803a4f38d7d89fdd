"""The alerts domain's home card: open alerts in the viewer's reach (for family, their elder's)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.alerts.choices import Severity
from yiyang.alerts.presentation import severity_tone
from yiyang.alerts.selectors import (
    ACTION_ARRIVE,
    ACTION_CLOSE,
    ACTION_DISPATCH,
    ACTION_RESPOND,
    ACTION_WAIT,
    AlertFilters,
    alert_list,
    alert_open_by_severity,
    alerts_by_next_step,
)
from yiyang.audit.lists import audit_card_rows_shown
from yiyang.core.workspace import CardLink, HomeCard, register_home_card

CARD_ROWS = 5
# A helper's card says what each alert waits for (alerts_by_next_step's order).
NEXT_STEPS = {
    ACTION_RESPOND: _("待响应：请联系老人，确认情况后点“响应”"),
    ACTION_DISPATCH: _("已响应：请上门查看或派遣"),
    ACTION_ARRIVE: _("已派遣助老员：到场后点“已到场”"),
    ACTION_CLOSE: _("已到场：处置完毕后关闭告警"),
    ACTION_WAIT: _("已派遣，等待到场"),
}


@register_home_card("alerts.open", order=20)
def open_alerts_card(user: AnyUser) -> HomeCard | None:
    """Alerts in reach that are not closed, by severity, and the most pressing few with links;
    accounts with `alerts.view` only (a family member sees their own elder's). For a helper the rows
    are their to-do: the alerts waiting for a response first, each saying what to do next."""
    if not has_perm(user, Perm.ALERTS_VIEW):
        return None
    counts = alert_open_by_severity(user=user)
    kind = scope_for(user).kind
    if kind is ScopeKind.HELPER:
        # The helper's to-do: the alerts of their elders, the one waiting for them first, each with its step.
        alerts = list(alerts_by_next_step(user=user)[:CARD_ROWS])
        rows = [{"alert": a, "step": NEXT_STEPS[a.next_step]} for a in alerts]  # type: ignore[attr-defined]
        empty_hint = _("您负责的老人目前没有未关闭的告警。有新告警时会显示在这里，并写明下一步要做什么。")
    else:
        alerts = list(alert_list(user=user, filters=AlertFilters(status="active"))[:CARD_ROWS])
        rows = [{"alert": a, "step": None} for a in alerts]
        empty_hint = (
            _("您的家人目前没有未处理的告警。有新告警时会显示在这里。")
            if kind is ScopeKind.FAMILY
            else _("目前没有未关闭的告警。新的告警会实时出现在告警台。")
        )
    audit_card_rows_shown(actor=user, entity_type="alert", rows=alerts)
    return HomeCard(
        key="alerts.open",
        title=_("未关闭的告警"),
        template="alerts/cards/open.html",
        data={
            "total": sum(counts.values()),
            "severities": [
                {"key": key, "label": Severity(key).label, "count": n, "tone": severity_tone(key)}
                for key, n in counts.items()
            ],
            "rows": rows,
        },
        empty=not alerts,
        empty_hint=empty_hint,
        links=(CardLink(_("告警台"), reverse("alert-console")),),
    )
