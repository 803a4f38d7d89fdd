from datetime import timedelta
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm, require_staff_perm
from yiyang.accounts.permissions import Perm
from yiyang.alerts.access import access_alert_by_public_id
from yiyang.alerts.api.serializers import (
    AlertDetailOutput,
    AlertEventOutput,
    AlertFilterSerializer,
    AlertOutput,
    CloseInput,
    DispatchInput,
    NoteInput,
    PolicyInput,
    SlaFilterSerializer,
    SlaReportOutput,
)
from yiyang.alerts.choices import Severity
from yiyang.alerts.selectors import (
    AlertFilters,
    alert_list,
    alert_sla_report,
    alert_timeline,
    escalation_policy_for,
    sla_range,
)
from yiyang.alerts.services import (
    alert_acknowledge,
    alert_close,
    alert_dispatch,
    alert_handoff_sheet,
    alert_on_scene,
    district_of,
    escalation_policy_require_changer,
    escalation_policy_set,
)
from yiyang.audit.lists import audit_record_shown, shown_by
from yiyang.core import limits
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.idempotency import idempotent


class AlertListApi(PaginatedApi):
    @extend_schema(parameters=[AlertFilterSerializer], responses=AlertOutput(many=True))
    def get(self, request: Request) -> Response:
        """Alerts in reach: active first, most severe first, newest first. `category=health` keeps health &
        safety alerts, `category=technical` the technical ones (device offline, not worn, low battery)."""
        require_perm(request.user, Perm.ALERTS_VIEW)  # before the query is validated
        params = AlertFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = AlertFilters(**{k: v for k, v in params.validated_data.items() if v not in ("", None)})
        qs = alert_list(user=request.user, filters=filters)
        return paginated(
            request, self, qs, AlertOutput, context={"request": request}, shown=shown_by(request.user, "alert")
        )


class AlertDetailApi(ApiView):
    @extend_schema(responses=AlertDetailOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """One alert with the escalation policy fixed on it when it opened; the read is audited."""
        alert = access_alert_by_public_id(user=request.user, public_id=public_id)
        audit_record_shown(actor=request.user, entity_type="alert", record=alert)
        return Response(AlertDetailOutput(alert, context={"request": request}).data)


class AlertTimelineApi(ApiView):
    @extend_schema(responses=AlertEventOutput(many=True))
    def get(self, request: Request, public_id: str) -> Response:
        """Every event of the alert in order: opened, repeats, notifications, escalations, people's steps."""
        alert = access_alert_by_public_id(user=request.user, public_id=public_id)
        audit_record_shown(actor=request.user, entity_type="alert", record=alert, summary="查看告警处置记录")
        return Response(AlertEventOutput(alert_timeline(alert=alert), many=True).data)


class _StepApi(ApiView):
    input_serializer: Any = NoteInput

    def step(self, request: Request, alert: Any, data: dict[str, Any]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, request: Request, public_id: str) -> Response:
        alert = access_alert_by_public_id(user=request.user, public_id=public_id, perm=Perm.ALERTS_HANDLE)
        payload = self.input_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        alert = self.step(request, alert, dict(payload.validated_data))
        alert = access_alert_by_public_id(user=request.user, public_id=alert.public_id)
        return Response(AlertOutput(alert, context={"request": request}).data)


class AlertAcknowledgeApi(_StepApi):
    def step(self, request: Request, alert: Any, data: dict[str, Any]) -> Any:
        return alert_acknowledge(actor=request.user, alert=alert, **data)

    @extend_schema(request=NoteInput, responses={200: AlertOutput, 409: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Acknowledge an open alert (stops acknowledgement-timeout escalation)."""
        return self.handle(request, public_id)


class AlertDispatchApi(_StepApi):
    input_serializer = DispatchInput

    def step(self, request: Request, alert: Any, data: dict[str, Any]) -> Any:
        return alert_dispatch(actor=request.user, alert=alert, **data)

    @extend_schema(request=DispatchInput, responses={200: AlertOutput, 409: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Dispatch the helper, the family, 120 (with the hand-off sheet) or another person."""
        return self.handle(request, public_id)


class AlertOnSceneApi(_StepApi):
    def step(self, request: Request, alert: Any, data: dict[str, Any]) -> Any:
        return alert_on_scene(actor=request.user, alert=alert, **data)

    @extend_schema(request=NoteInput, responses={200: AlertOutput, 409: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Someone dispatched has reached the elder."""
        return self.handle(request, public_id)


class AlertCloseApi(_StepApi):
    input_serializer = CloseInput

    def step(self, request: Request, alert: Any, data: dict[str, Any]) -> Any:
        return alert_close(actor=request.user, alert=alert, **data)

    @extend_schema(request=CloseInput, responses={200: AlertOutput, 409: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Close with a close code (true emergency, false alarm causes, cancelled by the elder…)."""
        return self.handle(request, public_id)


class AlertHandoffApi(ApiView):
    @extend_schema(responses=OpenApiResponse(OpenApiTypes.OBJECT, description="The 120 hand-off sheet"))
    def get(self, request: Request, public_id: str) -> Response:
        """The 120 hand-off sheet: address, key holders, conditions, medication, contacts, location."""
        alert = access_alert_by_public_id(user=request.user, public_id=public_id, perm=Perm.ALERTS_HANDLE)
        return Response(alert_handoff_sheet(actor=request.user, alert=alert))


class AlertSlaApi(ApiView):
    @extend_schema(parameters=[SlaFilterSerializer], responses=SlaReportOutput)
    def get(self, request: Request) -> Response:
        """Share acknowledged within 60 s and 180 s and p50/p90 times to acknowledge, dispatch and
        reach the scene, overall, per severity and per street, for alerts opened in the date range;
        staff accounts only."""
        require_staff_perm(request.user, Perm.ALERTS_VIEW)
        params = SlaFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        start, end = sla_range(params.validated_data.get("start"), params.validated_data.get("end"))
        limits.check_date_span(start.date(), end.date() - timedelta(days=1))
        return Response(alert_sla_report(user=request.user, start=start, end=end))


class EscalationPolicyApi(ApiView):
    @extend_schema(
        responses=OpenApiResponse(OpenApiTypes.OBJECT, description="Policies of the caller's district by severity")
    )
    def get(self, request: Request) -> Response:
        """The policy each severity's new alerts copy in the caller's district (default or override)."""
        require_perm(request.user, Perm.ALERTS_VIEW)
        district = district_of(request.user)
        return Response({
            "district": district.name,
            "policies": {s: escalation_policy_for(district_id=district.pk, severity=s) for s in Severity.values},
        })  # fmt: skip

    @extend_schema(
        request=PolicyInput,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description='{"severity", "policy"}'),
            400: OpenApiResponse(),
        },
    )
    @idempotent
    def put(self, request: Request) -> Response:
        """Replace one severity's policy for the district; open alerts keep theirs. Needs alerts.configure."""
        require_perm(request.user, Perm.ALERTS_CONFIGURE)
        district = district_of(request.user)
        escalation_policy_require_changer(actor=request.user, district=district)
        payload = PolicyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        escalation_policy_set(actor=request.user, district=district, **payload.validated_data)
        severity = payload.validated_data["severity"]
        return Response(
            {"severity": severity, "policy": escalation_policy_for(district_id=district.pk, severity=severity)}
        )
