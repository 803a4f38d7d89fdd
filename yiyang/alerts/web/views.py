"""The live alert console, the alert page and the SLA report. Same services and selectors as the API;
out-of-reach alerts are 404, a missing right 403."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from yiyang.accounts.access import ScopeKind, has_perm, missing_perm_message, require_staff_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.accounts.selectors import person_label
from yiyang.alerts import presentation
from yiyang.alerts.access import access_alert_by_public_id
from yiyang.alerts.choices import AlertCategory, AlertStatus, CloseCode, DeliveryStatus, DispatchTarget
from yiyang.alerts.models import Alert
from yiyang.alerts.selectors import (
    alert_console_list,
    alert_deliveries,
    alert_devices,
    alert_event_cursor,
    alert_open_counts,
    alert_sla_report,
    alert_timeline,
    sla_range,
    technical_alert_devices,
)
from yiyang.alerts.services import (
    alert_acknowledge,
    alert_close,
    alert_dispatch,
    alert_handoff_sheet,
    alert_on_scene,
)
from yiyang.alerts.web import stream
from yiyang.areas.access import access_area_filter, area_filter_id
from yiyang.areas.choices import AreaLevel
from yiyang.areas.selectors import streets_in_reach
from yiyang.audit.lists import audit_record_shown, audit_rows_shown
from yiyang.core import limits
from yiyang.core.errors import ApplicationError, Forbidden, NotFound
from yiyang.core.web import is_partial, staff_page
from yiyang.devices.models import Device
from yiyang.elders.access import elder_shown_with

CONSOLE_LIMIT = 200
LEVEL_TITLES = {
    ScopeKind.COMMUNITY: gettext_lazy("社区养老服务站告警台"),
    ScopeKind.STREET: gettext_lazy("街道照料中心告警台"),
    ScopeKind.DISTRICT: gettext_lazy("区级告警总览"),
    ScopeKind.ALL: gettext_lazy("区级告警总览"),
}


@dataclass(frozen=True)
class ConsoleView:
    """Which view of the console a request asks for: `?category=` (health, the default, or
    technical) and `?street=`; read from the query, or from the form of a lifecycle button.
    An unknown category falls back to the default view; a street outside the reach, unknown or
    malformed answers 404 (AreaNotFound), as the API's `?street=` does."""

    category: AlertCategory = AlertCategory.HEALTH
    street: UUID | None = None

    @classmethod
    def of(cls, request: HttpRequest) -> "ConsoleView":
        params = request.POST if request.method == "POST" else request.GET
        raw_category = params.get("category", "")
        category = AlertCategory(raw_category) if raw_category in AlertCategory.values else AlertCategory.HEALTH
        return cls(category=category, street=area_filter_id(params.get("street"), field="street"))

    def query(self, **changes: Any) -> str:
        """The console query string of this view (default values left out), with `changes` applied."""
        values = {"category": self.category.value, "street": str(self.street) if self.street else "", **changes}
        if values["category"] == AlertCategory.HEALTH:
            values["category"] = ""
        return urlencode({k: v for k, v in values.items() if v})


@dataclass(frozen=True)
class TechnicalRow:
    alert: Alert
    device: Device | None


def _require_view(request: HttpRequest) -> None:
    if not has_perm(request.user, Perm.ALERTS_VIEW):
        raise PermissionDenied(missing_perm_message(Perm.ALERTS_VIEW))


def _console_context(request: HttpRequest) -> dict[str, Any]:
    view = ConsoleView.of(request)
    alerts = list(alert_console_list(user=request.user, street=view.street, category=view.category)[:CONSOLE_LIMIT])
    audit_rows_shown(actor=request.user, entity_type="alert", rows=alerts)
    technical = view.category is AlertCategory.TECHNICAL
    devices = technical_alert_devices(user=request.user, alerts=alerts) if technical else {}
    return {
        "alerts": alerts,
        "technical_rows": [TechnicalRow(alert, devices.get(alert.pk)) for alert in alerts] if technical else [],
        "category": view.category.value,
        "is_technical": technical,
        "street": view.street,
        "close_codes": CloseCode.choices,
        "dispatch_targets": DispatchTarget.choices,
        "can_handle": has_perm(request.user, Perm.ALERTS_HANDLE),
        "capped": len(alerts) >= CONSOLE_LIMIT,
        "limit": CONSOLE_LIMIT,
    }


def _console_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """The whole console page (or, for an HTMX refresh, its rows) answering with `status`."""
    # The cursor is read before the rows and counts: a change in between is streamed, never lost.
    cursor = 0 if is_partial(request) else alert_event_cursor()
    context = _console_context(request)
    if is_partial(request):
        response = render(request, "alerts/includes/alert_rows.html", {**context, "partial": True}, status=status)
    else:
        scope = scope_for(request.user)
        view = ConsoleView.of(request)
        counts = alert_open_counts(user=request.user, street=view.street)
        context.update(
            title=LEVEL_TITLES.get(scope.kind, _("告警台")),
            cursor=cursor,
            streets=streets_in_reach(user=request.user) if scope.kind in (ScopeKind.DISTRICT, ScopeKind.ALL) else [],
            query=view.query(),
            tabs=[
                {
                    "category": category.value,
                    "label": category.label,
                    "count": counts[category.value],
                    "query": view.query(category=category.value),
                    "active": category is view.category,
                }
                for category in AlertCategory
            ],
        )
        response = render(request, "alerts/console.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_page
def alert_console_page(request: HttpRequest) -> HttpResponse:
    """The live console of the account's level (community station, street care centre, district):
    alerts in reach that are not closed, most severe and newest first, pushed within a second. Two
    views with their open counts: health & safety alerts (the default) and technical alerts."""
    _require_view(request)
    return _console_page(request)


@staff_page
def alert_stream_view(request: HttpRequest) -> Any:
    """Server-Sent Events: every change to an alert in reach and in the view (?category=, ?street=),
    after the cursor (Last-Event-ID or ?after=), and the open counts of both views."""
    _require_view(request)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    cursor = int(raw) if raw.isdigit() else alert_event_cursor()
    view = ConsoleView.of(request)
    if view.street is not None:
        # Checked before the stream starts: an error inside it could no longer answer 404.
        access_area_filter(user=request.user, public_id=view.street, field="street", level=AreaLevel.STREET)
    response = StreamingHttpResponse(
        stream.alert_stream(user=request.user, cursor=cursor, category=view.category, street=view.street),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


# Field names of the lifecycle forms as people call them, for errors that name the field.
FIELD_LABELS = {
    "close_code": gettext_lazy("关闭原因"),
    "note": gettext_lazy("说明"),
    "target": gettext_lazy("派遣对象"),
    "to_name": gettext_lazy("派遣给"),
}
STEP_DONE = {
    "acknowledge": gettext_lazy("已响应告警。"),
    "dispatch": gettext_lazy("已派遣。"),
    "on_scene": gettext_lazy("已记录到场。"),
    "close": gettext_lazy("告警已关闭。"),
}


@dataclass(frozen=True)
class TimelineRow:
    at: Any
    kind: str
    actor: str
    text: str


@dataclass(frozen=True)
class DeliveryView:
    at: Any
    stage: str
    recipient: str
    person: str
    address: str
    channel: str
    status: str
    status_label: str
    badge: str
    error: str

    @property
    def failed(self) -> bool:
        return self.status != DeliveryStatus.SENT


@dataclass(frozen=True)
class Responder:
    label: str
    at: Any
    person: str
    extra: str = ""


def _next_actions(alert: Alert) -> dict[str, bool]:
    """The lifecycle steps the alert's state allows next (the services refuse the others)."""
    status = alert.status
    return {
        "acknowledge": status == AlertStatus.OPEN,
        "dispatch": status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.DISPATCHED),
        "on_scene": status == AlertStatus.DISPATCHED,
        "close": not alert.is_closed,
    }


def _detail_context(
    request: HttpRequest, alert: Alert, *, form: str = "", errors: dict[str, str] | None = None
) -> dict[str, Any]:
    can_handle = has_perm(request.user, Perm.ALERTS_HANDLE)
    events = list(alert_timeline(alert=alert))
    found = alert_devices(user=request.user, alert=alert, events=events)
    devices = {
        pk: presentation.DeviceLabel(kind=str(d.device.get_kind_display()), location=d.location)
        for pk, d in found.items()
    }
    described = presentation.describe_detail(
        alert_type=alert.alert_type, rule=alert.rule, detail=alert.last_detail, at=alert.last_seen_at, devices=devices
    )
    timeline = [
        TimelineRow(
            at=e.at,
            kind=str(e.get_kind_display()),
            actor=person_label(e.actor),
            text=presentation.event_text(kind=e.kind, detail=e.detail, alert_type=alert.alert_type, devices=devices),
        )
        for e in events
    ]
    deliveries = [
        DeliveryView(
            at=row.delivery.at,
            stage=presentation.stage_text(row.delivery.stage),
            recipient=presentation.recipient_label(row.delivery.recipient_kind),
            person=person_label(row.person),
            address=row.delivery.address_masked,
            channel=presentation.channel_label(row.delivery.channel),
            status=row.delivery.status,
            status_label=str(row.delivery.get_status_display()),
            badge=presentation.delivery_status_badge(row.delivery.status),
            error=presentation.delivery_error(row.delivery.error),
        )
        for row in alert_deliveries(alert=alert)
    ]
    responders = [
        Responder(_("响应"), alert.acknowledged_at, person_label(alert.acknowledged_by)),
        Responder(
            _("派遣"),
            alert.dispatched_at,
            person_label(alert.dispatched_by),
            " ".join(p for p in (str(alert.get_dispatch_target_display()), alert.dispatched_to) if p),
        ),
        Responder(_("到场"), alert.on_scene_at, person_label(alert.on_scene_by)),
        Responder(
            _("关闭"),
            alert.closed_at,
            person_label(alert.closed_by),
            str(alert.get_close_code_display()) if alert.close_code else "",
        ),
    ]
    posted = request.POST if request.method == "POST" else {}
    return {
        "alert": alert,
        "severity_label": presentation.severity_label(alert.severity),
        "elder_link": elder_shown_with(user=request.user, elder=alert.elder, perm=Perm.ELDERS_VIEW),
        "summary": described.sentence,
        "summary_extra": described.extra,
        "responders": responders,
        "timeline": timeline,
        "deliveries": deliveries,
        "failed_deliveries": sum(1 for d in deliveries if d.status == DeliveryStatus.FAILED),
        "policy_steps": presentation.policy_steps(alert.policy, alert.escalation_step),
        "reescalation": presentation.reescalation_text(alert.policy),
        "sheet": alert_handoff_sheet(actor=request.user, alert=alert) if can_handle else None,
        "can_handle": can_handle,
        "actions": _next_actions(alert) if can_handle else {},
        "close_codes": CloseCode.choices,
        "dispatch_targets": DispatchTarget.choices,
        "form": form,
        "errors": errors or {},
        "posted": posted,
    }


@staff_page
def alert_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One alert in words: what the rule saw, who responded, the escalation policy and every
    notification delivered (failures marked), the timeline, and for those who handle it the 120
    hand-off sheet and the lifecycle steps its state allows."""
    alert = access_alert_by_public_id(user=request.user, public_id=public_id)
    audit_record_shown(actor=request.user, entity_type="alert", record=alert)
    return render(request, "alerts/alert_detail.html", _detail_context(request, alert))


def _error_text(exc: ApplicationError) -> str:
    """The refusal in words, each field error naming its field ("关闭原因：请选择关闭原因")."""
    parts = [f"{FIELD_LABELS[e.field]}：{e.reason}" if e.field in FIELD_LABELS else e.reason for e in exc.errors]
    return pgettext("separator between sentences", "；").join(parts) or exc.message


def _step(request: HttpRequest, public_id: str, name: str, action: Any) -> HttpResponse:
    """Run one lifecycle step through its service. Done: post-redirect-get to the page the form
    was on, with a message. Refused: that page again with the refusal's status (400 for a form
    error, 409 for a step the state does not allow), the error next to its field on the alert
    page and a message naming the field on the console; nothing changed."""
    alert = access_alert_by_public_id(user=request.user, public_id=public_id, perm=Perm.ALERTS_HANDLE)
    on_detail = request.POST.get("next") == "detail"
    try:
        action(alert)
    except (NotFound, Forbidden):
        raise
    except ApplicationError as exc:
        if on_detail and not is_partial(request):
            fresh = access_alert_by_public_id(user=request.user, public_id=public_id)
            errors = {e.field: e.reason for e in exc.errors}
            messages.error(request, _error_text(exc))
            context = _detail_context(request, fresh, form=name, errors=errors)
            return render(request, "alerts/alert_detail.html", context, status=exc.status)
        messages.error(request, _error_text(exc))
        return _console_page(request, status=exc.status)
    if is_partial(request):
        return _console_page(request)
    messages.success(request, str(STEP_DONE[name]))
    if on_detail:
        return redirect("alert-detail", public_id=alert.public_id)
    query = ConsoleView.of(request).query()
    return redirect(reverse("alert-console") + (f"?{query}" if query else ""))


@require_POST
@staff_page
def alert_acknowledge_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _step(request, public_id, "acknowledge", lambda a: alert_acknowledge(actor=request.user, alert=a))


@require_POST
@staff_page
def alert_dispatch_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _step(request, public_id, "dispatch", lambda a: alert_dispatch(
        actor=request.user, alert=a, target=request.POST.get("target", ""), to_name=request.POST.get("to_name", ""),
        note=request.POST.get("note", "")))  # fmt: skip


@require_POST
@staff_page
def alert_on_scene_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _step(request, public_id, "on_scene", lambda a: alert_on_scene(actor=request.user, alert=a))


@require_POST
@staff_page
def alert_close_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _step(request, public_id, "close", lambda a: alert_close(
        actor=request.user, alert=a, close_code=request.POST.get("close_code", ""), note=request.POST.get("note", "")))  # fmt: skip


@dataclass(frozen=True)
class SlaRow:
    """One row of the SLA table with its numbers formatted for the locale ("-" when there is none)."""

    label: str
    testid: str
    alerts: str
    within_60s: str
    within_180s: str
    acknowledge: str
    dispatch: str
    scene: str

    @classmethod
    def of(cls, label: Any, group: dict[str, Any], testid: str) -> "SlaRow":
        def n(key: str) -> str:
            value = group.get(key)
            return "-" if value is None else presentation.number(value)

        def pct(key: str) -> str:
            value = group.get(key)
            return "-" if value is None else f"{presentation.number(value)}%"

        return cls(
            label=str(label),
            testid=testid,
            alerts=n("alerts"),
            within_60s=pct("acknowledged_within_60s_pct"),
            within_180s=pct("acknowledged_within_180s_pct"),
            acknowledge=f"{n('time_to_acknowledge_p50_s')} / {n('time_to_acknowledge_p90_s')}",
            dispatch=f"{n('time_to_dispatch_p50_s')} / {n('time_to_dispatch_p90_s')}",
            scene=f"{n('time_to_scene_p50_s')} / {n('time_to_scene_p90_s')}",
        )


def _date_param(request: HttpRequest, name: str) -> date | None:
    """Absent or empty is None; otherwise a date in the accepted range, else a 400 page naming `name`."""
    return limits.parse_date(name, request.GET.get(name))


@staff_page
def alert_sla_page(request: HttpRequest) -> HttpResponse:
    """Share acknowledged within 60 s / 180 s and p50/p90 times, per severity and street, over a date range;
    staff accounts with `alerts.view` only."""
    require_staff_perm(request.user, Perm.ALERTS_VIEW)
    start, end = sla_range(_date_param(request, "start"), _date_param(request, "end"))
    limits.check_date_span(start.date(), end.date() - timedelta(days=1))
    report = alert_sla_report(user=request.user, start=start, end=end)
    rows = [SlaRow.of(_("合计"), report["overall"], "sla-overall")]
    rows += [SlaRow.of(presentation.severity_label(g["severity"]), g, "sla-severity") for g in report["by_severity"]]
    rows += [SlaRow.of(g["street"], g, "sla-street") for g in report["by_street"]]
    context = {"rows": rows, "start": start.date(), "end": end.date() - timedelta(days=1)}
    return render(request, "alerts/sla.html", context)
