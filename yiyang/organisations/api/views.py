from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import audit_record_shown, shown_by
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.errors import ErrorCollector
from yiyang.core.idempotency import idempotent
from yiyang.organisations.access import (
    access_admission_by_public_id,
    access_bed_by_public_id,
    access_organisation_by_public_id,
)
from yiyang.organisations.api.serializers import (
    AdmissionFilterSerializer,
    AdmissionInputSerializer,
    AdmissionOutput,
    BedInputSerializer,
    BedOutput,
    BedStateInputSerializer,
    DischargeInputSerializer,
    OccupancyOutput,
    OrganisationDetailOutput,
    OrganisationFilterSerializer,
    OrganisationInputSerializer,
    OrganisationListOutput,
)
from yiyang.organisations.selectors import (
    AdmissionFilters,
    OrganisationFilters,
    admission_list,
    bed_list,
    occupancy_by_area,
    occupancy_by_organisation,
    occupancy_summary,
    organisation_list,
)
from yiyang.organisations.services import (
    OrganisationInput,
    admission_admit,
    admission_discharge,
    bed_create,
    bed_set_state,
    organisation_create,
    organisation_refs_resolve,
    organisation_update,
)


def parse_filters(request: Request) -> OrganisationFilters:
    """Validate list filters from the query string (bad values answer 400 naming the field)."""
    params = OrganisationFilterSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return OrganisationFilters(**{k: v for k, v in params.validated_data.items() if v not in ("", None)})


class OrganisationListCreateApi(PaginatedApi):
    @extend_schema(parameters=[OrganisationFilterSerializer], responses=OrganisationListOutput(many=True))
    def get(self, request: Request) -> Response:
        """Organisations in reach with their bed counts, by kind then name."""
        require_perm(request.user, Perm.ORGS_VIEW)  # before the query is validated
        qs = organisation_list(user=request.user, filters=parse_filters(request))
        return paginated(request, self, qs, OrganisationListOutput, shown=shown_by(request.user, "organisation"))

    @extend_schema(
        request=OrganisationInputSerializer, responses={201: OrganisationDetailOutput, 400: OpenApiResponse()}
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Register an organisation; street and district come from its area."""
        require_perm(request.user, Perm.ORGS_CHANGE)
        payload = OrganisationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        errors = ErrorCollector()
        data.update(organisation_refs_resolve({"area": data.pop("area")}, errors=errors))
        organisation = organisation_create(actor=request.user, data=OrganisationInput(**data), pre_errors=errors)
        return created(
            OrganisationDetailOutput(
                access_organisation_by_public_id(user=request.user, public_id=organisation.public_id)
            ).data
        )


class OrganisationDetailApi(ApiView):
    @extend_schema(responses=OrganisationDetailOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """One organisation with contact details and bed counts."""
        organisation = access_organisation_by_public_id(user=request.user, public_id=public_id)
        audit_record_shown(actor=request.user, entity_type="organisation", record=organisation)
        return Response(OrganisationDetailOutput(organisation).data)

    @extend_schema(request=OrganisationInputSerializer(partial=True), responses=OrganisationDetailOutput)
    def patch(self, request: Request, public_id: str) -> Response:
        """Change some fields; the names of changed fields are audited."""
        organisation = access_organisation_by_public_id(user=request.user, public_id=public_id, perm=Perm.ORGS_CHANGE)
        payload = OrganisationInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        errors = ErrorCollector()
        if "area" in data:
            data.update(organisation_refs_resolve({"area": data.pop("area")}, errors=errors))
        errors.raise_if_any("机构信息有误")
        organisation = organisation_update(actor=request.user, organisation=organisation, changes=data)
        return Response(
            OrganisationDetailOutput(
                access_organisation_by_public_id(user=request.user, public_id=organisation.public_id)
            ).data
        )


class OrganisationBedListCreateApi(PaginatedApi):
    @extend_schema(responses=BedOutput(many=True))
    def get(self, request: Request, public_id: str) -> Response:
        """The organisation's beds in label order."""
        organisation = access_organisation_by_public_id(user=request.user, public_id=public_id)
        return paginated(request, self, bed_list(organisation=organisation), BedOutput)

    @extend_schema(request=BedInputSerializer, responses={201: BedOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Add a free bed; the label (building, room, number) must be new in the organisation."""
        organisation = access_organisation_by_public_id(user=request.user, public_id=public_id, perm=Perm.BEDS_MANAGE)
        payload = BedInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bed = bed_create(actor=request.user, organisation=organisation, **payload.validated_data)
        return created(BedOutput(bed).data)


class BedStateApi(ApiView):
    @extend_schema(request=BedStateInputSerializer, responses={200: BedOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Mark a bed free, reserved or out of service; an occupied bed changes only by discharge."""
        bed = access_bed_by_public_id(user=request.user, public_id=public_id, perm=Perm.BEDS_MANAGE)
        payload = BedStateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bed = bed_set_state(actor=request.user, bed=bed, **payload.validated_data)
        return Response(BedOutput(bed).data)


class AdmissionListCreateApi(PaginatedApi):
    @extend_schema(parameters=[AdmissionFilterSerializer], responses=AdmissionOutput(many=True))
    def get(self, request: Request) -> Response:
        """Stays in reach, newest first; residents' national IDs masked."""
        require_perm(request.user, Perm.ORGS_VIEW)  # before the query is validated
        require_perm(request.user, Perm.ELDERS_VIEW)  # stays name residents
        params = AdmissionFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = AdmissionFilters(
            organisation=params.validated_data.get("organisation"), is_open=params.validated_data.get("open")
        )
        qs = admission_list(user=request.user, filters=filters)
        return paginated(
            request, self, qs, AdmissionOutput, context={"request": request}, shown=shown_by(request.user, "admission")
        )

    @extend_schema(request=AdmissionInputSerializer, responses={201: AdmissionOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request) -> Response:
        """Admit an elder of the district (by id or national ID) into a free or reserved bed."""
        require_perm(request.user, Perm.BEDS_MANAGE)
        payload = AdmissionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        bed = access_bed_by_public_id(user=request.user, public_id=data["bed"], perm=Perm.BEDS_MANAGE)
        admission = admission_admit(
            actor=request.user,
            bed=bed,
            elder_public_id=data.get("elder"),
            elder_national_id=data.get("elder_national_id", ""),
            admitted_on=data.get("admitted_on"),
            note=data.get("note", ""),
        )
        return created(AdmissionOutput(admission, context={"request": request}).data)


class AdmissionDischargeApi(ApiView):
    @extend_schema(request=DischargeInputSerializer, responses={200: AdmissionOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Discharge a resident; the bed becomes free."""
        admission = access_admission_by_public_id(user=request.user, public_id=public_id, perm=Perm.BEDS_MANAGE)
        payload = DischargeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        admission = admission_discharge(actor=request.user, admission=admission, **payload.validated_data)
        return Response(AdmissionOutput(admission, context={"request": request}).data)


class OccupancyApi(ApiView):
    @extend_schema(responses=OccupancyOutput)
    def get(self, request: Request) -> Response:
        """Bed occupancy in reach: overall, per institution, per street and per community; accounts
        with `organisations.view` only."""
        require_perm(request.user, Perm.ORGS_VIEW)
        by_area = occupancy_by_area(user=request.user)
        data = {
            "summary": occupancy_summary(user=request.user),
            "by_organisation": occupancy_by_organisation(user=request.user),
            "by_street": by_area.streets,
            "by_community": by_area.communities,
        }
        return Response(OccupancyOutput(data).data)
