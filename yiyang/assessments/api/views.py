"""Per-operation API views of assessments: scales, records and their life cycle, the due list,
policy versions and the PDF report. Each view resolves ids through `access`, then calls one
service or selector; errors answer with every bad field named."""

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm, require_staff_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.assessments import scoring
from yiyang.assessments.access import access_assessment_by_public_id
from yiyang.assessments.api.serializers import (
    AssessmentCreateInput,
    AssessmentDetailOutput,
    AssessmentDueOutput,
    AssessmentFilterSerializer,
    AssessmentListOutput,
    AssessmentUpdateInput,
    CorrectInput,
    DueFilterSerializer,
    ElderLevelsOutput,
    PolicyFilterSerializer,
    PolicyVersionInput,
    PolicyVersionOutput,
    ReturnInput,
    ScaleDetailOutput,
    ScaleListOutput,
    ScoreInput,
    ScoreOutput,
)
from yiyang.assessments.selectors import (
    AssessmentFilters,
    assessment_list,
    assessments_due,
    elder_current_levels,
    policy_versions_current_ids,
    policy_versions_in_reach,
)
from yiyang.assessments.services import (
    PolicyDocument,
    assessment_confirm,
    assessment_correct,
    assessment_draft_create,
    assessment_draft_update,
    assessment_record_view,
    assessment_report_export,
    assessment_return,
    assessment_score_preview,
    assessment_submit,
    policy_version_load,
    policy_version_require_loader,
    report_filename,
    require_qualified_assessor,
)
from yiyang.audit.lists import shown_by
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.errors import NotFound
from yiyang.core.idempotency import idempotent
from yiyang.elders.access import access_elder_by_public_id


def _detail(request: Request, assessment: Any) -> Response:
    fresh = access_assessment_by_public_id(user=request.user, public_id=assessment.public_id)
    return Response(AssessmentDetailOutput(fresh).data)


class ScaleListApi(ApiView):
    @extend_schema(responses=ScaleListOutput(many=True))
    def get(self, request: Request) -> Response:
        """Every scale the platform scores, with whether all its shipped values are verified."""
        require_perm(request.user, Perm.ASSESSMENTS_VIEW)
        return Response(ScaleListOutput([scoring.get_scale(c) for c in scoring.SCALE_CODES], many=True).data)


class ScaleDetailApi(ApiView):
    @extend_schema(responses=ScaleDetailOutput)
    def get(self, request: Request, code: str) -> Response:
        """One scale as data: items with their Chinese option texts, groups, bands, levels, rules,
        settings and sources, each with its verified mark."""
        require_perm(request.user, Perm.ASSESSMENTS_VIEW)
        if code not in scoring.SCALE_CODES:
            raise NotFound(_("未知的评估量表“%(code)s”") % {"code": code})
        return Response(ScaleDetailOutput(scoring.get_scale(code)).data)


class AssessmentListCreateApi(PaginatedApi):
    @extend_schema(parameters=[AssessmentFilterSerializer], responses=AssessmentListOutput(many=True))
    def get(self, request: Request) -> Response:
        """Assessments in reach (family members: confirmed ones), newest assessment date first."""
        require_perm(request.user, Perm.ASSESSMENTS_VIEW)  # before the query is validated
        params = AssessmentFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = AssessmentFilters(**{k: v for k, v in params.validated_data.items() if v not in ("", None)})
        qs = assessment_list(user=request.user, filters=filters)
        return paginated(request, self, qs, AssessmentListOutput, shown=shown_by(request.user, "assessment"))

    @extend_schema(request=AssessmentCreateInput, responses={201: AssessmentDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request) -> Response:
        """Start a draft (answers may be partial); the caller, a qualified assessor, is its assessor."""
        require_qualified_assessor(request.user)
        payload = AssessmentCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        elder = access_elder_by_public_id(user=request.user, public_id=data.pop("elder"))
        assessment = assessment_draft_create(actor=request.user, elder=elder, **data)
        fresh = access_assessment_by_public_id(user=request.user, public_id=assessment.public_id)
        return created(AssessmentDetailOutput(fresh).data)


class AssessmentScoreApi(ApiView):
    @extend_schema(request=ScoreInput, responses={200: ScoreOutput, 400: OpenApiResponse()})
    def post(self, request: Request) -> Response:
        """Score answers without saving anything (the form's live preview); a missing or bad item
        answers 400 naming each one."""
        require_perm(request.user, Perm.ASSESSMENTS_CREATE)
        payload = ScoreInput(data=request.data)
        payload.is_valid(raise_exception=True)
        result = assessment_score_preview(
            actor=request.user,
            scale=payload.validated_data["scale"],
            answers=payload.validated_data["answers"],
            district_id=scope_for(request.user).district_id,
        )
        return Response(ScoreOutput(result.as_dict()).data)


class AssessmentDueApi(PaginatedApi):
    @extend_schema(parameters=[DueFilterSerializer], responses=AssessmentDueOutput(many=True))
    def get(self, request: Request) -> Response:
        """Current results lapsing within the reminder window (or lapsed) and returned records, in reach;
        staff accounts with `assessments.view` only."""
        require_staff_perm(request.user, Perm.ASSESSMENTS_VIEW)  # before the query is validated
        params = DueFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        today = timezone.localdate()
        qs = assessments_due(user=request.user, today=today, within_days=params.validated_data.get("within_days"))
        shown = shown_by(request.user, "assessment")
        return paginated(request, self, qs, AssessmentDueOutput, context={"today": today}, shown=shown)


class AssessmentDetailApi(ApiView):
    @extend_schema(responses=AssessmentDetailOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """One assessment with answers, result and explanation; the read is audited."""
        assessment = access_assessment_by_public_id(user=request.user, public_id=public_id)
        assessment_record_view(actor=request.user, assessment=assessment)
        return Response(AssessmentDetailOutput(assessment).data)

    @extend_schema(request=AssessmentUpdateInput, responses={200: AssessmentDetailOutput, 400: OpenApiResponse()})
    def patch(self, request: Request, public_id: str) -> Response:
        """Change a draft or returned record (the caller's own); `answers` replaces all answers."""
        assessment = access_assessment_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_CREATE
        )
        payload = AssessmentUpdateInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        assessment = assessment_draft_update(actor=request.user, assessment=assessment, changes=payload.validated_data)
        return _detail(request, assessment)


class AssessmentSubmitApi(ApiView):
    @extend_schema(request=None, responses={200: AssessmentDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Submit for review; the server computes the result (every missing item is named)."""
        assessment = access_assessment_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_CREATE
        )
        return _detail(request, assessment_submit(actor=request.user, assessment=assessment))


class AssessmentConfirmApi(ApiView):
    @extend_schema(request=None, responses={200: AssessmentDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Confirm a submitted assessment (a reviewer of the same jurisdiction, not its assessor)."""
        assessment = access_assessment_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_REVIEW
        )
        return _detail(request, assessment_confirm(actor=request.user, assessment=assessment))


class AssessmentReturnApi(ApiView):
    @extend_schema(request=ReturnInput, responses={200: AssessmentDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Return a submitted assessment to its assessor with a reason."""
        assessment = access_assessment_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_REVIEW
        )
        payload = ReturnInput(data=request.data)
        payload.is_valid(raise_exception=True)
        assessment = assessment_return(
            actor=request.user, assessment=assessment, reason=payload.validated_data["reason"]
        )
        return _detail(request, assessment)


class AssessmentCorrectApi(ApiView):
    @extend_schema(request=CorrectInput, responses={201: AssessmentDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Start a correction of a confirmed assessment: a new draft that supersedes it."""
        assessment = access_assessment_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.ASSESSMENTS_CREATE
        )
        require_qualified_assessor(request.user)
        payload = CorrectInput(data=request.data)
        payload.is_valid(raise_exception=True)
        correction = assessment_correct(actor=request.user, assessment=assessment, note=payload.validated_data["note"])
        fresh = access_assessment_by_public_id(user=request.user, public_id=correction.public_id)
        return created(AssessmentDetailOutput(fresh).data)


class AssessmentReportApi(ApiView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, public_id: str) -> HttpResponse:
        """The printable report (PDF, national ID masked); the export is audited."""
        assessment = access_assessment_by_public_id(user=request.user, public_id=public_id)
        content = assessment_report_export(actor=request.user, assessment=assessment)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{report_filename(assessment)}"'
        return response


class ElderAssessmentLevelsApi(ApiView):
    @extend_schema(responses=ElderLevelsOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """The elder's current ability level and LTC grade (latest confirmed, still valid) with history."""
        require_perm(request.user, Perm.ASSESSMENTS_VIEW)
        elder = access_elder_by_public_id(user=request.user, public_id=public_id)
        return Response(ElderLevelsOutput(elder_current_levels(elder=elder)).data)


class PolicyVersionListCreateApi(PaginatedApi):
    @extend_schema(parameters=[PolicyFilterSerializer], responses=PolicyVersionOutput(many=True))
    def get(self, request: Request) -> Response:
        """Policy versions that apply in the caller's district (its own and general ones), newest first."""
        params = PolicyFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = policy_versions_in_reach(user=request.user)
        if scale := params.validated_data.get("scale"):
            qs = qs.filter(scale=scale)
        context = {
            "current_ids": policy_versions_current_ids(
                district_id=scope_for(request.user).district_id, on=timezone.localdate()
            )
        }
        return paginated(request, self, qs.order_by("scale", "-effective_from", "-id"), PolicyVersionOutput, context)

    @extend_schema(request=PolicyVersionInput, responses={201: PolicyVersionOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request) -> Response:
        """Load a policy version (checked by the scale layer's policy loader) for the caller's district."""
        policy_version_require_loader(request.user)
        payload = PolicyVersionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = policy_version_load(
            actor=request.user,
            document=PolicyDocument(
                scale=data["scale"],
                effective_from=data["effective_from"],
                source=data["source"],
                verified=data["verified"],
                note=data.get("note", ""),
                data=dict(data.get("policy") or {}),
                settings=data.get("settings"),
            ),
        )
        context = {
            "current_ids": policy_versions_current_ids(
                district_id=scope_for(request.user).district_id, on=timezone.localdate()
            )
        }
        return created(PolicyVersionOutput(version, context=context).data)
