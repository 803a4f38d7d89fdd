"""The live alert console, the alert page and the SLA report. Same services and selectors as the API;
out-of-reach alerts are 404, a missing right 403."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yiyang.accounts.access import ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.alerts.access import access_alert_by_public_id
from yiyang.alerts.choices import CloseCode, DispatchTarget
from yiyang.alerts.selectors import (
    alert_console_list,
    alert_event_cursor,
    alert_sla_report,
    alert_timeline,
    sla_range,
)
from yiyang.alerts.services import (
    alert_acknowledge,
    alert_close,
    alert_dispatch,
    alert_handoff_sheet,
    alert_on_scene,
)
from yiyang.alerts.web import stream
from yiyang.areas.selectors import streets_in_reach
from yiyang.core.errors import ApplicationError, Forbidden, NotFound
from yiyang.core.web import is_partial, staff_page

CONSOLE_LIMIT = 200
LEVEL_TITLES = {
    ScopeKind.COMMUNITY: gettext_lazy("社区养老服务站告警台"),
    ScopeKind.STREET: gettext_lazy("街道照料中心告警台"),
    ScopeKind.DISTRICT: gettext_lazy("区级告警总览"),
    ScopeKind.ALL: gettext_lazy("区级告警总览"),
}


def _uuid_param(request: HttpRequest, name: str) -> Any:
    from uuid import UUID

    try:
        return UUID(request.GET.get(name, "")) if request.GET.get(name) else None
    except ValueError:
        return None


def _require_view(request: HttpRequest) -> None:
    if not has_perm(request.user, Perm.ALERTS_VIEW):
        raise PermissionDenied


def _console_context(request: HttpRequest) -> dict[str, Any]:
    street = _uuid_param(request, "street")
    alerts = list(alert_console_list(user=request.user, street=street)[:CONSOLE_LIMIT])
    return {
        "alerts": alerts,
        "street": street,
        "close_codes": CloseCode.choices,
        "dispatch_targets": DispatchTarget.choices,
        "can_handle": has_perm(request.user, Perm.ALERTS_HANDLE),
    }


@staff_page
def alert_console_page(request: HttpRequest) -> HttpResponse:
    """The live console of the account's level (community station, street care centre, district):
    alerts in reach that are not closed, most severe and newest first, pushed within a second."""
    _require_view(request)
    context = _console_context(request)
    if is_partial(request):
        response = render(request, "alerts/includes/alert_rows.html", context)
    else:
        scope = scope_for(request.user)
        context.update(
            title=LEVEL_TITLES.get(scope.kind, _("告警台")),
            cursor=alert_event_cursor(),
            streets=streets_in_reach(user=request.user) if scope.kind in (ScopeKind.DISTRICT, ScopeKind.ALL) else [],
            query=request.GET.urlencode(),
        )
        response = render(request, "alerts/console.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_page
def alert_stream_view(request: HttpRequest) -> Any:
    """Server-Sent Events: every change to an alert in reach, after the cursor (Last-Event-ID or ?after=)."""
    _require_view(request)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    cursor = int(raw) if raw.isdigit() else alert_event_cursor()
    response = StreamingHttpResponse(
        stream.alert_stream(user=request.user, cursor=cursor), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@staff_page
def alert_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One alert: status, timers, timeline, and for those who handle it the 120 hand-off sheet."""
    alert = access_alert_by_public_id(user=request.user, public_id=public_id)
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
        detail = "；".join(e.reason for e in exc.errors) or exc.message
        messages.error(request, detail)
    if is_partial(request):
        return render(request, "alerts/includes/alert_rows.html", _console_context(request), status=status)
    if request.POST.get("next") == "detail":
        return redirect("alert-detail", public_id=alert.public_id)
    return redirect("alert-console")


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
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


@staff_page
def alert_sla_page(request: HttpRequest) -> HttpResponse:
    """Share acknowledged within 60 s / 180 s and p50/p90 times, per severity and street, over a date range."""
    _require_view(request)
    start, end = sla_range(_date_param(request, "start"), _date_param(request, "end"))
    report = alert_sla_report(user=request.user, start=start, end=end)
    context = {"report": report, "start": start.date(), "end": end.date() - timedelta(days=1)}
    return render(request, "alerts/sla.html", context)
