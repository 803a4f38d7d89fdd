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

from yiyang.accounts.access import ScopeKind, has_perm, missing_perm_message, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.alerts.access import access_alert_by_public_id
from yiyang.alerts.choices import AlertCategory, CloseCode, DispatchTarget
from yiyang.alerts.models import Alert
from yiyang.alerts.selectors import (
    alert_console_list,
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
    }


@staff_page
def alert_console_page(request: HttpRequest) -> HttpResponse:
    """The live console of the account's level (community station, street care centre, district):
    alerts in reach that are not closed, most severe and newest first, pushed within a second. Two
    views with their open counts: health & safety alerts (the default) and technical alerts."""
    _require_view(request)
    # The cursor is read before the rows and counts: a change in between is streamed, never lost.
    cursor = 0 if is_partial(request) else alert_event_cursor()
    context = _console_context(request)
    if is_partial(request):
        response = render(request, "alerts/includes/alert_rows.html", context)
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
        response = render(request, "alerts/console.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


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


@staff_page
def alert_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One alert: status, timers, timeline, and for those who handle it the 120 hand-off sheet."""
    alert = access_alert_by_public_id(user=request.user, public_id=public_id)
    audit_record_shown(actor=request.user, entity_type="alert", record=alert)
    can_handle = has_perm(request.user, Perm.ALERTS_HANDLE)
    context = {
        "alert": alert,
        "events": alert_timeline(alert=alert),
        "sheet": alert_handoff_sheet(actor=request.user, alert=alert) if can_handle else None,
        "can_handle": can_handle,
        "close_codes": CloseCode.choices,
        "dispatch_targets": DispatchTarget.choices,
    }
    return render(request, "alerts/alert_detail.html", context)


def _step(request: HttpRequest, public_id: str, action: Any) -> HttpResponse:
    alert = access_alert_by_public_id(user=request.user, public_id=public_id, perm=Perm.ALERTS_HANDLE)
    status = 200
    try:
        action(alert)
    except (NotFound, Forbidden):
        raise
    except ApplicationError as exc:
        status = exc.status
        detail = pgettext("separator between sentences", "；").join(e.reason for e in exc.errors) or exc.message
        messages.error(request, detail)
    if is_partial(request):
        return render(request, "alerts/includes/alert_rows.html", _console_context(request), status=status)
    if request.POST.get("next") == "detail":
        return redirect("alert-detail", public_id=alert.public_id)
    query = ConsoleView.of(request).query()
    return redirect(reverse("alert-console") + (f"?{query}" if query else ""))


@require_POST
@staff_page
def alert_acknowledge_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _step(request, public_id, lambda a: alert_acknowledge(actor=request.user, alert=a))


@require_POST
@staff_page
def alert_dispatch_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _step(request, public_id, lambda a: alert_dispatch(
        actor=request.user, alert=a, target=request.POST.get("target", ""), to_name=request.POST.get("to_name", ""),
        note=request.POST.get("note", "")))  # fmt: skip


@require_POST
@staff_page
def alert_on_scene_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _step(request, public_id, lambda a: alert_on_scene(actor=request.user, alert=a))


@require_POST
@staff_page
def alert_close_page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _step(request, public_id, lambda a: alert_close(
        actor=request.user, alert=a, close_code=request.POST.get("close_code", ""), note=request.POST.get("note", "")))  # fmt: skip


def _date_param(request: HttpRequest, name: str) -> date | None:
    """Absent or empty is None; otherwise a date in the accepted range, else a 400 page naming `name`."""
    return limits.parse_date(name, request.GET.get(name))


@staff_page
def alert_sla_page(request: HttpRequest) -> HttpResponse:
    """Share acknowledged within 60 s / 180 s and p50/p90 times, per severity and street, over a date range."""
    _require_view(request)
    start, end = sla_range(_date_param(request, "start"), _date_param(request, "end"))
    limits.check_date_span(start.date(), end.date() - timedelta(days=1))
    report = alert_sla_report(user=request.user, start=start, end=end)
    context = {"report": report, "start": start.date(), "end": end.date() - timedelta(days=1)}
    return render(request, "alerts/sla.html", context)
