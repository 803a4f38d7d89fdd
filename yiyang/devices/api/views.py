from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import audit_record_shown, shown_by
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.errors import Forbidden
from yiyang.core.idempotency import idempotent
from yiyang.devices.access import access_device_by_public_id, access_pending_device_by_public_id
from yiyang.devices.api.serializers import (
    BindingOutput,
    BindInputSerializer,
    DeadLetterOutput,
    DeviceFilterSerializer,
    DeviceInputSerializer,
    DeviceOutput,
    DeviceUpdateSerializer,
    PendingDeviceOutput,
    PendingRegisterSerializer,
)
from yiyang.devices.choices import PendingState
from yiyang.devices.selectors import (
    DeviceFilters,
    binding_history,
    can_see_queues,
    dead_letter_list,
    device_list,
    device_status_summary,
    intake_counts,
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
    push_ingest,
    push_secret_ok,
)
from yiyang.elders.access import access_elder_by_public_id, access_home_by_public_id

PUSH_SECRET_HEADER = "X-Yiyang-Push-Secret"  # noqa: S105 -- a header name


def _detail(request: Request, public_id: Any) -> Response:
    return Response(DeviceOutput(access_device_by_public_id(user=request.user, public_id=public_id)).data)


class DeviceListCreateApi(PaginatedApi):
    @extend_schema(parameters=[DeviceFilterSerializer], responses=DeviceOutput(many=True))
    def get(self, request: Request) -> Response:
        """Devices in reach with live status (online, last seen, battery, worn) and current binding."""
        require_perm(request.user, Perm.DEVICES_VIEW)  # before the query is validated
        params = DeviceFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = DeviceFilters(**{k: v for k, v in params.validated_data.items() if v not in ("", None)})
        qs = device_list(user=request.user, filters=filters)
        return paginated(request, self, qs, DeviceOutput, shown=shown_by(request.user, "device"))

    @extend_schema(request=DeviceInputSerializer, responses={201: DeviceOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request) -> Response:
        """Register a device in the caller's street (or the given one)."""
        require_perm(request.user, Perm.DEVICES_MANAGE)
        payload = DeviceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        device = device_register(actor=request.user, data=DeviceInput(**payload.validated_data))
        return created(DeviceOutput(access_device_by_public_id(user=request.user, public_id=device.public_id)).data)


class DeviceDetailApi(ApiView):
    @extend_schema(responses=DeviceOutput)
    def get(self, request: Request, public_id: str) -> Response:
        device = access_device_by_public_id(user=request.user, public_id=public_id)
        audit_record_shown(actor=request.user, entity_type="device", record=device)
        return Response(DeviceOutput(device).data)

    @extend_schema(request=DeviceUpdateSerializer, responses=DeviceOutput)
    def patch(self, request: Request, public_id: str) -> Response:
        device = access_device_by_public_id(user=request.user, public_id=public_id, perm=Perm.DEVICES_MANAGE)
        payload = DeviceUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        device_update(actor=request.user, device=device, changes=dict(payload.validated_data))
        return _detail(request, public_id)


class DeviceBindingsApi(PaginatedApi):
    @extend_schema(responses=BindingOutput(many=True))
    def get(self, request: Request, public_id: str) -> Response:
        """Binding history, newest first."""
        device = access_device_by_public_id(user=request.user, public_id=public_id)
        shown = shown_by(request.user, "device_binding")
        return paginated(request, self, binding_history(device=device), BindingOutput, shown=shown)


class DeviceBindApi(ApiView):
    @extend_schema(request=BindInputSerializer, responses={200: DeviceOutput, 400: OpenApiResponse()})
    def post(self, request: Request, public_id: str) -> Response:
        """Bind to an elder in reach who agreed to monitoring (home: the elder's unless given)."""
        device = access_device_by_public_id(user=request.user, public_id=public_id, perm=Perm.DEVICES_MANAGE)
        payload = BindInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        elder = access_elder_by_public_id(user=request.user, public_id=data["elder"])
        home = access_home_by_public_id(user=request.user, public_id=data["home"]) if data.get("home") else None
        device_bind(actor=request.user, device=device, elder=elder, home=home, location=data.get("location", ""))
        return _detail(request, public_id)


class DeviceUnbindApi(ApiView):
    @extend_schema(request=None, responses={200: DeviceOutput, 400: OpenApiResponse()})
    def post(self, request: Request, public_id: str) -> Response:
        device = access_device_by_public_id(user=request.user, public_id=public_id, perm=Perm.DEVICES_MANAGE)
        device_unbind(actor=request.user, device=device)
        return _detail(request, public_id)


class DeviceStatusApi(ApiView):
    @extend_schema(responses=OpenApiResponse(OpenApiTypes.OBJECT, description="counts"))
    def get(self, request: Request) -> Response:
        """Live status counts of the devices in reach; intake counters for queue managers."""
        body: dict[str, Any] = {"devices": device_status_summary(user=request.user)}
        if can_see_queues(request.user):
            body["intake"] = intake_counts()
        return Response(body)


def _require_queues(request: Request) -> None:
    if not can_see_queues(request.user):
        raise Forbidden(_("缺少权限：%(permission)s") % {"permission": Perm.DEVICES_MANAGE.label})


class PendingDeviceListApi(PaginatedApi):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                enum=PendingState.values,
                description="`pending` when left out; empty for every state.",
            )
        ],
        responses=PendingDeviceOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        """Identifiers that sent data but are not registered or bound."""
        _require_queues(request)
        state = request.query_params.get("state", "pending")
        return paginated(request, self, pending_device_list(user=request.user, state=state), PendingDeviceOutput)


class PendingDeviceRegisterApi(ApiView):
    @extend_schema(request=PendingRegisterSerializer, responses={201: DeviceOutput, 400: OpenApiResponse()})
    def post(self, request: Request, public_id: str) -> Response:
        pending = access_pending_device_by_public_id(user=request.user, public_id=public_id)
        payload = PendingRegisterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        device = pending_device_register(actor=request.user, pending=pending, **payload.validated_data)
        return created(DeviceOutput(access_device_by_public_id(user=request.user, public_id=device.public_id)).data)


class PendingDeviceIgnoreApi(ApiView):
    @extend_schema(request=None, responses=PendingDeviceOutput)
    def post(self, request: Request, public_id: str) -> Response:
        pending = access_pending_device_by_public_id(user=request.user, public_id=public_id)
        return Response(PendingDeviceOutput(pending_device_ignore(actor=request.user, pending=pending)).data)


class DeadLetterListApi(PaginatedApi):
    @extend_schema(
        parameters=[OpenApiParameter("adapter", description="Only this intake adapter's messages (mqtt, http, tcp…).")],
        responses=DeadLetterOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        """Messages intake could not parse, newest first, with the reason."""
        _require_queues(request)
        adapter = request.query_params.get("adapter", "")
        return paginated(request, self, dead_letter_list(user=request.user, adapter=adapter), DeadLetterOutput)


class DevicePushApi(ApiView):
    """Vendor cloud webhook. Authenticated by the vendor's shared secret in `X-Yiyang-Push-Secret`,
    not by an account. 202 once the readings are committed; 400 with the reason (and a dead letter)
    when the body cannot be read; 401 for a wrong or missing secret."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter(PUSH_SECRET_HEADER, location=OpenApiParameter.HEADER, required=False)],
        responses={
            202: inline_serializer(
                "PushAccepted",
                {
                    "accepted": serializers.IntegerField(help_text="readings stored for the first time"),
                    "duplicate": serializers.IntegerField(help_text="readings already stored (a redelivery)"),
                    "pending": serializers.IntegerField(help_text="readings of devices not yet registered"),
                },
            ),
            400: OpenApiResponse(),
            401: OpenApiResponse(),
        },
    )
    def post(self, request: Request, vendor: str) -> Response:
        if not push_secret_ok(vendor, request.headers.get(PUSH_SECRET_HEADER, "")):
            return Response(
                {"status": 401, "title": "Unauthorized", "detail": "bad or missing push secret", "errors": []},
                status=401,
            )
        outcome = push_ingest(vendor=vendor, body=request.body, source=request.META.get("REMOTE_ADDR", ""))
        if not outcome.accepted:
            return Response(
                {"status": 400, "title": "Malformed", "detail": outcome.reason,
                 "errors": [{"field": "body", "reason": outcome.reason, "code": "malformed"}]},
                status=400,
            )  # fmt: skip
        assert outcome.result is not None
        result = outcome.result
        return Response({"accepted": result.stored, "duplicate": result.duplicates, "pending": result.pending}, 202)
