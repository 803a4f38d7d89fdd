"""Per-operation API views of the benefits workflow: applications (list, submit, detail, street
review, district decision, withdrawal, attachments) and entitlements (list, detail, end). Each view
checks the right, resolves ids through `access`, then calls one service or selector."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import shown_by
from yiyang.benefits.access import (
    access_application_by_public_id,
    access_attachment_by_public_id,
    access_entitlement_by_public_id,
)
from yiyang.benefits.api.serializers import (
    ApplicationDetailOutput,
    ApplicationFilterSerializer,
    ApplicationListOutput,
    BenefitApplicationInput,
    BenefitAttachmentOutput,
    BenefitDecisionInput,
    BenefitReviewInput,
    EntitlementDetailOutput,
    EntitlementEndInput,
    EntitlementFilterSerializer,
    EntitlementListOutput,
)
from yiyang.benefits.models import Application, Entitlement
from yiyang.benefits.selectors import (
    ApplicationFilters,
    EntitlementFilters,
    application_attachments,
    application_list,
    district_decision_queue,
    entitlement_instalments,
    entitlement_list,
    street_review_queue,
)
from yiyang.benefits.services import (
    APPLICATION,
    ENTITLEMENT,
    ApplicationInput,
    application_decide,
    application_record_view,
    application_street_review,
    application_submit,
    application_withdraw,
    attachment_add,
    attachment_read,
    entitlement_end,
    entitlement_record_view,
)
from yiyang.benefits.services.applications import ATTACHMENT_MAX_BYTES
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.errors import ValidationFailed
from yiyang.core.idempotency import idempotent


def _context(request: Request, **extra: Any) -> dict[str, Any]:
    return {"disclosure": disclosure_for(request.user), **extra}


def application_detail_data(request: Request, application: Application) -> dict[str, Any]:
    """The application as the detail answers it (fresh from the database, payee shown as the caller may)."""
    fresh = access_application_by_public_id(user=request.user, public_id=application.public_id)
    context = _context(request, detail=True, attachments=list(application_attachments(application=fresh)))
    return dict(ApplicationDetailOutput(fresh, context=context).data)


def entitlement_detail_data(request: Request, entitlement: Entitlement) -> dict[str, Any]:
    fresh = access_entitlement_by_public_id(user=request.user, public_id=entitlement.public_id)
    context = _context(request, detail=True, instalments=list(entitlement_instalments(entitlement=fresh)))
    return dict(EntitlementDetailOutput(fresh, context=context).data)


class ApplicationListCreateApi(PaginatedApi):
    @extend_schema(parameters=[ApplicationFilterSerializer], responses=ApplicationListOutput(many=True))
    def get(self, request: Request) -> Response:
        """Applications in reach, newest first (payee accounts masked); `queue` keeps the caller's
        street-review or district-decision queue, oldest first."""
        require_perm(request.user, Perm.BENEFITS_VIEW)  # before the query is validated
        params = ApplicationFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = {k: v for k, v in params.validated_data.items() if v not in ("", None)}
        queue = data.pop("queue", "")
        qs = application_list(user=request.user, filters=ApplicationFilters(**data))
        if queue == "street_review":
            qs = qs.filter(pk__in=street_review_queue(user=request.user).values("pk")).order_by("submitted_at", "id")
        elif queue == "district_decision":
            qs = qs.filter(pk__in=district_decision_queue(user=request.user).values("pk")).order_by(
                "street_reviewed_at", "id"
            )
        return paginated(
            request,
            self,
            qs,
            ApplicationListOutput,
            context=_context(request),
            shown=shown_by(request.user, APPLICATION),
        )

    @extend_schema(request=BenefitApplicationInput, responses={201: ApplicationDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request) -> Response:
        """Submit an application (every problem named at once; a refused declared fact is named
        `facts.<name>`). The same `idempotency_key` again returns the application already submitted."""
        require_perm(request.user, Perm.BENEFITS_APPLY)
        payload = BenefitApplicationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        application = application_submit(actor=request.user, data=ApplicationInput(**payload.validated_data))
        return created(application_detail_data(request, application))


class ApplicationDetailApi(ApiView):
    @extend_schema(responses=ApplicationDetailOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """One application with its facts, attachments and decisions; the read is audited."""
        application = access_application_by_public_id(user=request.user, public_id=public_id)
        application_record_view(actor=request.user, application=application)
        return Response(application_detail_data(request, application))


class ApplicationReviewApi(ApiView):
    @extend_schema(request=BenefitReviewInput, responses={200: ApplicationDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """The street review: approve (optional note) or refuse (reason required)."""
        application = access_application_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_REVIEW)
        payload = BenefitReviewInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        application = application_street_review(
            actor=request.user,
            application=application,
            approve=data["decision"] == "approve",
            note=data["note"],
            reason=data["reason"],
        )
        return Response(application_detail_data(request, application))


class ApplicationDecideApi(ApiView):
    @extend_schema(request=BenefitDecisionInput, responses={200: ApplicationDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """The district decision: approve (the entitlement and its instalments are created) or refuse
        (reason required)."""
        application = access_application_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.BENEFITS_APPROVE
        )
        payload = BenefitDecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        application = application_decide(
            actor=request.user, application=application, approve=data["decision"] == "approve", reason=data["reason"]
        )
        return Response(application_detail_data(request, application))


class ApplicationWithdrawApi(ApiView):
    @extend_schema(request=None, responses={200: ApplicationDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """The applicant withdraws the application before the district decides."""
        application = access_application_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_APPLY)
        application = application_withdraw(actor=request.user, application=application)
        return Response(application_detail_data(request, application))


class AttachmentUploadApi(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={201: BenefitAttachmentOutput, 400: OpenApiResponse()},
    )
    def post(self, request: Request, public_id: str) -> Response:
        """Attach a document (field "file": PDF, JPG or PNG by content, at most 5 MB) to an
        application waiting for a decision."""
        application = access_application_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_APPLY)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed.single("file", "请选择文件", "required")
        content = upload.read(ATTACHMENT_MAX_BYTES + 1)
        attachment = attachment_add(
            actor=request.user, application=application, name=upload.name or "", content=content
        )
        return created(BenefitAttachmentOutput(attachment).data)


class AttachmentDownloadApi(ApiView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: Request, public_id: str, attachment_id: str) -> HttpResponse:
        """The attachment's content; the download is audited."""
        application = access_application_by_public_id(user=request.user, public_id=public_id)
        attachment = access_attachment_by_public_id(user=request.user, application=application, public_id=attachment_id)
        return attachment_response(attachment, attachment_read(actor=request.user, attachment=attachment))


def attachment_response(attachment: Any, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=attachment.content_type)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(attachment.content_type, "bin")
    response["Content-Disposition"] = f'attachment; filename="attachment-{attachment.public_id}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class EntitlementListApi(PaginatedApi):
    @extend_schema(parameters=[EntitlementFilterSerializer], responses=EntitlementListOutput(many=True))
    def get(self, request: Request) -> Response:
        """Entitlements in reach, latest start first (payee accounts masked)."""
        require_perm(request.user, Perm.BENEFITS_VIEW)
        params = EntitlementFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = {k: v for k, v in params.validated_data.items() if v not in ("", None)}
        qs = entitlement_list(user=request.user, filters=EntitlementFilters(**data))
        return paginated(
            request,
            self,
            qs,
            EntitlementListOutput,
            context=_context(request),
            shown=shown_by(request.user, ENTITLEMENT),
        )


class EntitlementDetailApi(ApiView):
    @extend_schema(responses=EntitlementDetailOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """One entitlement with its facts and instalments; the read is audited."""
        entitlement = access_entitlement_by_public_id(user=request.user, public_id=public_id)
        entitlement_record_view(actor=request.user, entitlement=entitlement)
        return Response(entitlement_detail_data(request, entitlement))


class EntitlementEndApi(ApiView):
    @extend_schema(request=EntitlementEndInput, responses={200: EntitlementDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """An officer ends an active entitlement with a reason (on `ends_on`, default today)."""
        entitlement = access_entitlement_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.BENEFITS_APPROVE
        )
        payload = EntitlementEndInput(data=request.data)
        payload.is_valid(raise_exception=True)
        entitlement = entitlement_end(
            actor=request.user,
            entitlement=entitlement,
            reason=payload.validated_data["reason"],
            ends_on=payload.validated_data.get("ends_on"),
        )
        return Response(entitlement_detail_data(request, entitlement))
