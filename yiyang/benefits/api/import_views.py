"""Bulk import of applications through the API."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.permissions import Perm
from yiyang.benefits.services.application_import import application_import, import_template_download
from yiyang.core.api import created
from yiyang.core.api_views import ApiView
from yiyang.core.errors import ValidationFailed
from yiyang.core.excel import XLSX_CONTENT_TYPE


class ApplicationImportApi(ApiView):
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
            201: inline_serializer(
                "BenefitApplicationsImported",
                {"created": serializers.IntegerField(), "already_imported": serializers.IntegerField()},
            ),
            400: OpenApiResponse(),
        },
    )
    def post(self, request: Request) -> Response:
        """Submit one application per row of an .xlsx (field "file"): every row or none; each error names
        its Excel row and field. The same file again creates nothing new."""
        require_perm(request.user, Perm.BENEFITS_APPLY)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed.single("file", "请选择要导入的Excel文件", "required")
        result = application_import(actor=request.user, file=upload)
        return created({"created": result.created, "already_imported": result.already_imported})


class ApplicationImportTemplateApi(ApiView):
    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request) -> FileResponse:
        """The import template: the header row and example rows."""
        require_perm(request.user, Perm.BENEFITS_APPLY)
        return import_template_download()
