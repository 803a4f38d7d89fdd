"""Server-rendered pages for the device registry. Same access functions, selectors and services as
the API; out of reach is a 404, a missing right a 403."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from yiyang.accounts.access import has_perm, missing_perm_message
from yiyang.accounts.permissions import Perm
from yiyang.areas.selectors import streets_in_reach
from yiyang.audit.lists import audit_page_shown, audit_record_shown, audit_rows_shown
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.core.forms import InvalidFieldsMarked, must_choose
from yiyang.core.web import query_without_page, staff_page
from yiyang.devices.access import access_device_by_public_id, access_pending_device_by_public_id
from yiyang.devices.choices import DeviceKind, DeviceProtocol, DeviceState
from yiyang.devices.selectors import (
    DeviceFilters,
    binding_history,
    can_see_queues,
    dead_letter_adapters,
    dead_letter_list,
    device_list,
    device_status_summary,
    pending_device_list,
)
from yiyang.devices.services import (
    DeviceInput,
    device_bind,
    device_register,
    device_unbind,
    device_update,
    pending_device_ignore,
    pending_device_register,
)
from yiyang.elders.access import access_elder_by_public_id

PAGE_SIZE = 30


class DeviceForm(InvalidFieldsMarked, forms.Form):
    # No kind or protocol preselected: an untouched form would register a device as the first of each.
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=must_choose(DeviceKind.choices))
    protocol = forms.ChoiceField(label=gettext_lazy("接入协议"), choices=must_choose(DeviceProtocol.choices))
    identifier = forms.CharField(label=gettext_lazy("设备号"), max_length=64)
    vendor = forms.CharField(label=gettext_lazy("厂商"), max_length=64, required=False)
    model_name = forms.CharField(label=gettext_lazy("型号"), max_length=64, required=False)
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)
    street = forms.UUIDField(label=gettext_lazy("街道"), required=False)


class DeviceEditForm(InvalidFieldsMarked, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=DeviceKind.choices)
    vendor = forms.CharField(label=gettext_lazy("厂商"), max_length=64, required=False)
    model_name = forms.CharField(label=gettext_lazy("型号"), max_length=64, required=False)
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)
    state = forms.ChoiceField(label=gettext_lazy("状态"), choices=DeviceState.choices)


class BindForm(InvalidFieldsMarked, forms.Form):
    elder = forms.UUIDField(label=gettext_lazy("老年人编号"))
    location = forms.CharField(label=gettext_lazy("安装位置"), max_length=64, required=False)


class RegisterPendingForm(forms.Form):
    kind = forms.ChoiceField(choices=DeviceKind.choices)
    street = forms.UUIDField(required=False)


def _add_errors(form: forms.Form, exc: ValidationFailed) -> None:
    for error in exc.errors:
        form.add_error(error.field if error.field in form.fields else None, error.reason)
    if not exc.errors:
        form.add_error(None, exc.message)


def _tristate(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


@staff_page
def device_list_page(request: HttpRequest) -> HttpResponse:
    """Devices in reach with live status: online/offline, last seen, battery, worn, bound elder."""
    kind = request.GET.get("kind", "")
    filters = DeviceFilters(
        kind=kind if kind in DeviceKind.values else "",
        online=_tristate(request.GET.get("online", "")),
        bound=_tristate(request.GET.get("bound", "")),
        q=request.GET.get("q", "").strip(),
    )
    page = Paginator(device_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_shown(actor=request.user, entity_type="device", page=page)
    return render(
        request,
        "devices/device_list.html",
        {
            "page_obj": page,
            "query_without_page": query_without_page(request),
            "filters": filters,
            "kinds": DeviceKind.choices,
            "summary": device_status_summary(user=request.user),
            "can_manage": has_perm(request.user, Perm.DEVICES_MANAGE),
            "can_see_queues": can_see_queues(request.user),
        },
    )


@staff_page
def device_create_page(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, Perm.DEVICES_MANAGE):
        raise Forbidden(missing_perm_message(Perm.DEVICES_MANAGE))
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = device_register(actor=request.user, data=DeviceInput(**form.cleaned_data))
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("设备已登记"))
            return redirect("device-detail", public_id=device.public_id)
    status = 400 if form.is_bound else 200
    context = {"form": form, "streets": streets_in_reach(user=request.user), "title": _("登记设备")}
    return render(request, "devices/device_form.html", context, status=status)


@staff_page
def device_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    device = access_device_by_public_id(user=request.user, public_id=public_id)
    audit_record_shown(actor=request.user, entity_type="device", record=device)
    history = list(binding_history(device=device))
    # The history names the elders the device was bound to: recorded as the API's binding list is.
    audit_rows_shown(actor=request.user, entity_type="device_binding", rows=history)
    return render(
        request,
        "devices/device_detail.html",
        {
            "device": device,
            "binding": (device.open_bindings or [None])[0],  # type: ignore[attr-defined]
            "history": history,
            "bind_form": BindForm(),
            "can_manage": has_perm(request.user, Perm.DEVICES_MANAGE),
        },
    )


@staff_page
def device_edit_page(request: HttpRequest, public_id: str) -> HttpResponse:
    device = access_device_by_public_id(user=request.user, public_id=public_id, perm=Perm.DEVICES_MANAGE)
    initial = {name: getattr(device, name) for name in ("kind", "vendor", "model_name", "note", "state")}
    form = DeviceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            device_update(actor=request.user, device=device, changes=form.cleaned_data)
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            return redirect("device-detail", public_id=device.public_id)
    status = 400 if form.is_bound else 200
    return render(
        request, "devices/device_form.html", {"form": form, "device": device, "title": _("修改设备")}, status=status
    )


@require_POST
@staff_page
def device_bind_page(request: HttpRequest, public_id: str) -> HttpResponse:
    device = access_device_by_public_id(user=request.user, public_id=public_id, perm=Perm.DEVICES_MANAGE)
    form = BindForm(request.POST)
    if form.is_valid():
        try:
            elder = access_elder_by_public_id(user=request.user, public_id=form.cleaned_data["elder"])
            device_bind(actor=request.user, device=device, elder=elder, location=form.cleaned_data["location"])
        except ValidationFailed as exc:
            messages.error(
                request, pgettext("separator between sentences", "；").join(e.reason for e in exc.errors) or exc.message
            )
        except Exception as exc:  # ElderNotFound: answered on the page, not as a 404 of the device
            if not hasattr(exc, "status"):
                raise
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已绑定"))
    else:
        messages.error(request, _("请填写老年人编号"))
    return redirect("device-detail", public_id=device.public_id)


@require_POST
@staff_page
def device_unbind_page(request: HttpRequest, public_id: str) -> HttpResponse:
    device = access_device_by_public_id(user=request.user, public_id=public_id, perm=Perm.DEVICES_MANAGE)
    try:
        device_unbind(actor=request.user, device=device)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已解绑"))
    return redirect("device-detail", public_id=device.public_id)


def _require_queues(request: HttpRequest) -> None:
    if not can_see_queues(request.user):
        raise Forbidden(
            _("待登记设备和无法解析的消息只对持有“%(permission)s”权限的街道级、区级和全平台账号开放")
            % {"permission": Perm.DEVICES_MANAGE.label}
        )


@staff_page
def pending_device_list_page(request: HttpRequest) -> HttpResponse:
    _require_queues(request)
    protocol = request.GET.get("protocol", "")
    protocol = protocol if protocol in DeviceProtocol.values else ""
    q = request.GET.get("q", "").strip()
    page = Paginator(pending_device_list(user=request.user, protocol=protocol, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {
        "page_obj": page,
        "query_without_page": query_without_page(request),
        "filters": {"protocol": protocol, "q": q},
        "protocols": DeviceProtocol.choices,
        "kinds": DeviceKind.choices,
        "streets": streets_in_reach(user=request.user),
    }
    return render(request, "devices/pending_list.html", context)


@require_POST
@staff_page
def pending_device_register_page(request: HttpRequest, public_id: str) -> HttpResponse:
    pending = access_pending_device_by_public_id(user=request.user, public_id=public_id)
    form = RegisterPendingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择设备类型"))
        return redirect("pending-device-list")
    street: UUID | None = form.cleaned_data.get("street")
    try:
        device = pending_device_register(
            actor=request.user, pending=pending, kind=form.cleaned_data["kind"], street=street
        )
    except ValidationFailed as exc:
        messages.error(
            request, pgettext("separator between sentences", "；").join(e.reason for e in exc.errors) or exc.message
        )
        return redirect("pending-device-list")
    return redirect("device-detail", public_id=device.public_id)


@require_POST
@staff_page
def pending_device_ignore_page(request: HttpRequest, public_id: str) -> HttpResponse:
    pending = access_pending_device_by_public_id(user=request.user, public_id=public_id)
    pending_device_ignore(actor=request.user, pending=pending)
    return redirect("pending-device-list")


@staff_page
def dead_letter_list_page(request: HttpRequest) -> HttpResponse:
    _require_queues(request)
    adapter = request.GET.get("adapter", "")
    q = request.GET.get("q", "").strip()
    page = Paginator(dead_letter_list(user=request.user, adapter=adapter, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "query_without_page": query_without_page(request),
        "filters": {"adapter": adapter, "q": q},
        "adapters": dead_letter_adapters(user=request.user),
    }
    return render(request, "devices/dead_letter_list.html", context)
