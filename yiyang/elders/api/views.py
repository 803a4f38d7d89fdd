from typing import Any

from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import audit_record_shown, audit_rows_shown, shown_by
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.errors import ErrorCollector, ValidationFailed
from yiyang.core.excel import XLSX_CONTENT_TYPE, workbook_response
from yiyang.core.idempotency import idempotent
from yiyang.elders.access import access_elder_by_public_id, access_home_by_public_id
from yiyang.elders.api.serializers import (
    ContactInputSerializer,
    ContactOutput,
    ElderDetailOutput,
    ElderFilterSerializer,
    ElderInputSerializer,
    ElderListOutput,
    FactChangeInputSerializer,
    FactChangeOutput,
    HomeFilterSerializer,
    HomeOutput,
)
from yiyang.elders.roster import roster_export_filename, roster_template_download
from yiyang.elders.selectors import ElderFilters, elder_fact_history, elder_list, home_list
from yiyang.elders.services import (
    ContactInput,
    ElderInput,
    elder_export,
    elder_fact_change,
    elder_record_view,
    elder_refs_resolve,
    elder_register,
    elder_roster_import,
    elder_update,
    emergency_contact_add,
    emergency_contact_remove,
)

REF_KEYS = ("community", "home", "service_station", "medical_institution")


def shown_to(request: Request) -> dict[str, Any]:
    """Serializer context with the caller's disclosure policy (which values it sees in full)."""
    return {"disclosure": disclosure_for(request.user)}


def parse_filters(request: Request) -> ElderFilters:
    """Validate list filters from the query string (bad values answer 400 naming the field)."""
    params = ElderFilterSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return ElderFilters(**{k: v for k, v in params.validated_data.items() if v not in ("", None)})


class ElderListCreateApi(PaginatedApi):
    @extend_schema(parameters=[ElderFilterSerializer], responses=ElderListOutput(many=True))
    def get(self, request: Request) -> Response:
        """Elders in reach, newest first; national ID and phone masked."""
        require_perm(request.user, Perm.ELDERS_VIEW)
        qs = elder_list(user=request.user, filters=parse_filters(request))
        context = {"today": timezone.localdate(), **shown_to(request)}
        return paginated(request, self, qs, ElderListOutput, context=context, shown=shown_by(request.user, "elder"))

    @extend_schema(request=ElderInputSerializer, responses={201: ElderDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request) -> Response:
        """Register an elder; birth date and sex come from the national ID."""
        require_perm(request.user, Perm.ELDERS_CREATE)
        payload = ElderInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        errors = ErrorCollector()
        refs = elder_refs_resolve({k: data.pop(k) for k in REF_KEYS if k in data}, errors=errors)
        contacts = [ContactInput(**c) for c in data.pop("emergency_contacts", [])]
        elder = elder_register(
            actor=request.user,
            data=ElderInput(**data, **refs, emergency_contacts=contacts),
            pre_errors=errors,
        )
        return created(ElderDetailOutput(elder, context=shown_to(request)).data)


class ElderDetailApi(ApiView):
    @extend_schema(responses=ElderDetailOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """The record, with what the caller's role sees in full unmasked (`masked` lists the rest);
        the read is audited."""
        elder = access_elder_by_public_id(user=request.user, public_id=public_id)
        context = shown_to(request)
        elder_record_view(actor=request.user, elder=elder)
        return Response(ElderDetailOutput(elder, context=context).data)

    @extend_schema(request=ElderInputSerializer(partial=True), responses=ElderDetailOutput)
    def patch(self, request: Request, public_id: str) -> Response:
        """Change some fields; the names of changed fields are audited."""
        elder = access_elder_by_public_id(user=request.user, public_id=public_id, perm=Perm.ELDERS_CHANGE)
        payload = ElderInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        data.pop("emergency_contacts", None)
        errors = ErrorCollector()
        data.update(elder_refs_resolve({k: data.pop(k) for k in REF_KEYS if k in data}, errors=errors))
        errors.raise_if_any("老年人信息有误")
        before = elder.updated_at
        elder = elder_update(actor=request.user, elder=elder, changes=data)
        if elder.updated_at == before:
            # Nothing changed, so no change event names this account: the full record it gets back
            # is a view of the unmasked ID and phone.
            elder_record_view(actor=request.user, elder=elder)
        fresh = access_elder_by_public_id(user=request.user, public_id=elder.public_id)
        return Response(ElderDetailOutput(fresh, context=shown_to(request)).data)


class ElderContactListCreateApi(ApiView):
    @extend_schema(responses=ContactOutput(many=True))
    def get(self, request: Request, public_id: str) -> Response:
        elder = access_elder_by_public_id(user=request.user, public_id=public_id)
        elder_record_view(actor=request.user, elder=elder, full_identifiers=False)
        return Response(ContactOutput(elder.emergency_contacts.all(), many=True, context=shown_to(request)).data)

    @extend_schema(request=ContactInputSerializer, responses={201: ContactOutput})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        elder = access_elder_by_public_id(user=request.user, public_id=public_id, perm=Perm.ELDERS_CHANGE)
        payload = ContactInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        contact = emergency_contact_add(actor=request.user, elder=elder, contact=ContactInput(**payload.validated_data))
        return created(ContactOutput(contact, context=shown_to(request)).data)


class ElderContactDeleteApi(ApiView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, public_id: str, contact_id: str) -> Response:
        elder = access_elder_by_public_id(user=request.user, public_id=public_id, perm=Perm.ELDERS_CHANGE)
        emergency_contact_remove(actor=request.user, elder=elder, contact_public_id=contact_id)
        return Response(status=204)


class ElderFactChangeListCreateApi(ApiView):
    @extend_schema(responses=FactChangeOutput(many=True))
    def get(self, request: Request, public_id: str) -> Response:
        """The elder's dated changes of economic status, household registration and status, latest
        effective day first; the rows shown are audited."""
        elder = access_elder_by_public_id(user=request.user, public_id=public_id)
        rows = list(elder_fact_history(elder=elder))
        audit_rows_shown(actor=request.user, entity_type="elder_fact_change", rows=rows)
        return Response(FactChangeOutput(rows, many=True).data)

    @extend_schema(request=FactChangeInputSerializer, responses={201: FactChangeOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Record that from `effective_on` (today or up to about three years back) the fact is
        `new_value`; the elder takes the new value and the change is audited."""
        elder = access_elder_by_public_id(user=request.user, public_id=public_id, perm=Perm.ELDERS_CHANGE)
        payload = FactChangeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        change = elder_fact_change(actor=request.user, elder=elder, **payload.validated_data)
        return created(FactChangeOutput(change).data)


class HomeListApi(PaginatedApi):
    @extend_schema(parameters=[HomeFilterSerializer], responses=HomeOutput(many=True))
    def get(self, request: Request) -> Response:
        """Homes in reach, newest first; members' phones masked."""
        require_perm(request.user, Perm.ELDERS_VIEW)
        params = HomeFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = home_list(user=request.user, **params.validated_data)
        return paginated(request, self, qs, HomeOutput, context=shown_to(request), shown=shown_by(request.user, "home"))


class HomeDetailApi(ApiView):
    @extend_schema(responses=HomeOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """One home with its members (phones masked) and elders; the read is audited."""
        home = access_home_by_public_id(user=request.user, public_id=public_id)
        audit_record_shown(actor=request.user, entity_type="home", record=home)
        return Response(HomeOutput(home, context=shown_to(request)).data)


class ElderImportApi(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={
            201: inline_serializer("RosterImported", {"created": serializers.IntegerField()}),
            400: OpenApiResponse(),
        },
    )
    def post(self, request: Request) -> Response:
        """Import an Excel roster (.xlsx, field "file"): every row or none; each error names its Excel row."""
        require_perm(request.user, Perm.ELDERS_IMPORT)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed.single("file", "请选择要导入的Excel文件", "required")
        result = elder_roster_import(actor=request.user, file=upload)
        return created({"created": result.created})


class ElderImportTemplateApi(ApiView):
    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request) -> FileResponse:
        """The import template: headers, one example row, and an instructions sheet."""
        require_perm(request.user, Perm.ELDERS_IMPORT)
        return roster_template_download()


class ElderExportApi(ApiView):
    @extend_schema(parameters=[ElderFilterSerializer], responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request) -> FileResponse:
        """The list with the same filters as an .xlsx (national ID and phone masked); audited."""
        require_perm(request.user, Perm.ELDERS_EXPORT)
        export = elder_export(actor=request.user, filters=parse_filters(request))
        return workbook_response(
            filename=roster_export_filename(timezone.localdate()),
            sheet_title="老年人名单",
            headers=export.headers,
            rows=export.rows,
        )
