from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.idempotency import idempotent
from yiyang.monitoring.access import access_district_rules_by_public_id, access_elder_profile_by_public_id
from yiyang.monitoring.api.serializers import (
    DistrictRulesInput,
    DistrictRulesOutput,
    ElderProfileInput,
    ElderProfileOutput,
    VersionOutput,
    district_rules_output,
    elder_profile_output,
)
from yiyang.monitoring.selectors import (
    district_override,
    district_rule_versions,
    district_rules_table,
    elder_monitoring_profile,
    elder_rules_table,
)
from yiyang.monitoring.services import district_rules_set, elder_monitoring_profile_set, elder_monitoring_profile_view


def _district_body(district: Area) -> dict[str, Any]:
    return district_rules_output(
        district=district,
        current=district_override(district_id=district.pk),
        table=district_rules_table(district=district),
    )


class DistrictRulesApi(ApiView):
    @extend_schema(responses=DistrictRulesOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """The district's rules: every rule's default, source, basis and verified mark beside the
        district's override and the effective value. Needs monitoring.rules.view."""
        district = access_district_rules_by_public_id(user=request.user, public_id=public_id)
        return Response(_district_body(district))

    @extend_schema(request=DistrictRulesInput, responses={200: DistrictRulesOutput, 400: OpenApiResponse()})
    @idempotent
    def put(self, request: Request, public_id: str) -> Response:
        """Replace the district's override document (a new version; {} restores the defaults). Needs
        monitoring.rules.change and a district-level account. Errors name the document path."""
        district = access_district_rules_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.MONITORING_RULES_CHANGE
        )
        payload = DistrictRulesInput(data=request.data)
        payload.is_valid(raise_exception=True)
        district_rules_set(actor=request.user, district=district, **payload.validated_data)
        return Response(_district_body(district))


class DistrictRuleVersionsApi(PaginatedApi):
    @extend_schema(responses=VersionOutput(many=True))
    def get(self, request: Request, public_id: str) -> Response:
        """Every saved version of the district's override, newest first (who, when, note, document)."""
        district = access_district_rules_by_public_id(user=request.user, public_id=public_id)
        return paginated(request, self, district_rule_versions(district=district), VersionOutput)


class ElderProfileApi(ApiView):
    @extend_schema(responses=ElderProfileOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """The elder's monitoring flags, override, conditions and medication, and the rules the
        override changes. Audited."""
        elder = access_elder_profile_by_public_id(user=request.user, public_id=public_id)
        elder_monitoring_profile_view(actor=request.user, elder=elder)
        profile = elder_monitoring_profile(elder=elder)
        return Response(
            elder_profile_output(elder=elder, profile=profile, table=elder_rules_table(elder=elder, profile=profile))
        )

    @extend_schema(request=ElderProfileInput, responses={200: ElderProfileOutput, 400: OpenApiResponse()})
    @idempotent
    def put(self, request: Request, public_id: str) -> Response:
        """Set the elder's flags (copd, dementia), override, conditions and medication (shown on the
        120 hand-off sheet). Needs monitoring.profile.change."""
        elder = access_elder_profile_by_public_id(
            user=request.user, public_id=public_id, perm=Perm.MONITORING_PROFILE_CHANGE
        )
        payload = ElderProfileInput(data=request.data)
        payload.is_valid(raise_exception=True)
        profile = elder_monitoring_profile_set(actor=request.user, elder=elder, **payload.validated_data)
        return Response(
            elder_profile_output(elder=elder, profile=profile, table=elder_rules_table(elder=elder, profile=profile))
        )
