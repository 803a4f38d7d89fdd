"""Policy API: the parameters in force for a district with every dated value, mark and source; the
district's policy files (list, upload); the what-if (a draft value's 12-month cost, nothing saved).

Every operation names the district by `district` (its id) or, left out, uses the account's own.
"""

from typing import Any

from django.core.paginator import Paginator
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.permissions import Perm
from yiyang.benefits.choices import Scheme
from yiyang.benefits.models import PolicyFile
from yiyang.benefits.policy_access import access_policy_district_by_public_id
from yiyang.benefits.policy_selectors import ParameterRow, ValueRow, policy_files_of, policy_sections, schemes_of
from yiyang.benefits.selectors import district_policy
from yiyang.benefits.services.policy_files import MAX_FILE_BYTES, policy_file_load
from yiyang.benefits.services.what_if import WhatIfResult, what_if_compute
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, PaginatedApi, paginated

DISTRICT_PARAMETER = OpenApiParameter(
    "district",
    OpenApiTypes.UUID,
    description="The district's id; left out, the account's own district (404 when out of reach).",
)


def money(*, allow_null: bool = False) -> serializers.DecimalField:
    """Yuan with two places, as a string ("900.00")."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=allow_null)


# --- output ------------------------------------------------------------------------------------------


class ReferenceOutput(serializers.Serializer[Any]):
    title = serializers.CharField()
    href = serializers.CharField()


class DatedValueOutput(serializers.Serializer[Any]):
    start = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.ChoiceField(choices=["verified", "single_source", "example"])
    status_label = serializers.CharField(help_text="已核实 / 未核实（单一来源）/ 示例值")
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="`shipped`, or `district:<version>` for a district file"
    )
    source_label = serializers.CharField(help_text="The shipped file's path, or 区级文件 vN")
    references = ReferenceOutput(many=True)


class ParameterOutput(serializers.Serializer[Any]):
    path = serializers.CharField()
    schemes = serializers.ListField(
        child=serializers.CharField(), help_text="The schemes (codes as in `scheme` elsewhere) that read the parameter"
    )
    label = serializers.CharField()  # type: ignore[assignment]
    description = serializers.CharField(help_text="参数说明（中文，参数文件原文）")
    description_en = serializers.CharField(allow_blank=True, help_text="The English description beside it")
    unit = serializers.CharField()
    current = DatedValueOutput(allow_null=True, help_text="The value in force today (null before the first)")
    values = DatedValueOutput(many=True)


def _value(row: ValueRow) -> dict[str, Any]:
    return {
        "start": row.start,
        "value": row.value,
        "status": row.status,
        "status_label": row.status_label,
        "source": row.source,
        "source_label": row.source_label,
        "references": [{"title": t, "href": h} for t, h in row.references],
    }


def _parameter(row: ParameterRow) -> dict[str, Any]:
    return {
        "path": row.path,
        "schemes": schemes_of(row.path),
        "label": row.label,
        "description": row.description,
        "description_en": row.description_en,
        "unit": row.unit,
        "current": _value(row.current) if row.current else None,
        "values": [_value(v) for v in row.values],
    }


class PolicyFileOutput(serializers.ModelSerializer[PolicyFile]):
    id = serializers.UUIDField(source="public_id")
    loaded_by = serializers.SerializerMethodField()
    loaded_at = serializers.DateTimeField(source="created_at")
    parameters = serializers.SerializerMethodField()

    class Meta:
        model = PolicyFile
        fields = [
            "id",
            "version",
            "name",
            "effective_from",
            "fingerprint",
            "note",
            "loaded_by",
            "loaded_at",
            "parameters",
        ]

    def get_loaded_by(self, obj: PolicyFile) -> str:
        return obj.loaded_by.full_name or obj.loaded_by.username

    def get_parameters(self, obj: PolicyFile) -> list[str]:
        """The parameter paths the file names."""
        return sorted(obj.parameters)


class MonthOutput(serializers.Serializer[Any]):
    month = serializers.DateField()
    resident_baseline = money()
    resident_draft = money()
    bed_baseline = money()
    bed_draft = money()
    baseline = money()
    draft = money()
    difference = money()


class ChangeOutput(serializers.Serializer[Any]):
    entitlement = serializers.UUIDField(source="entitlement_id")
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    subject_kind = serializers.CharField()
    name = serializers.CharField(help_text="An elder's name masked; an institution's in full")
    baseline = money()
    draft = money()
    difference = money()


class WhatIfOutput(serializers.Serializer[Any]):
    district = serializers.UUIDField()
    path = serializers.CharField()
    start = serializers.DateField()
    value = money()
    current_value = money(allow_null=True)
    affects_monthly = serializers.BooleanField(help_text="False for a one-off scheme's parameter")
    resident_count = serializers.IntegerField()
    bed_count = serializers.IntegerField()
    example_values = serializers.ListField(
        child=serializers.CharField(),
        help_text="Paths of the monthly schemes whose value in force in the horizon is an example value",
    )
    months = MonthOutput(many=True)
    total_baseline = money()
    total_draft = money()
    total_difference = money()
    gainers = serializers.IntegerField()
    losers = serializers.IntegerField()
    change_count = serializers.IntegerField()
    page = serializers.IntegerField()
    changes = ChangeOutput(many=True, help_text="This page of the beneficiaries whose amount changes, largest first")


def what_if_output(result: WhatIfResult, page: int, page_size: int) -> dict[str, Any]:
    shown = Paginator(result.changes, page_size).get_page(page)
    return {
        "district": result.district.public_id,
        "path": result.path,
        "start": result.start,
        "value": result.value,
        "current_value": result.current_value,
        "affects_monthly": result.affects_monthly,
        "resident_count": result.resident_count,
        "bed_count": result.bed_count,
        "example_values": result.example_paths,
        "months": result.months,
        "total_baseline": result.total_baseline,
        "total_draft": result.total_draft,
        "total_difference": result.total_difference,
        "gainers": result.gainers,
        "losers": result.losers,
        "change_count": len(result.changes),
        "page": shown.number,
        "changes": list(shown),
    }


# --- input -------------------------------------------------------------------------------------------


class PolicyFileInput(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="UTF-8 YAML in the OpenFisca parameter format, at most 512 KB")
    effective_from = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class WhatIfInput(serializers.Serializer[Any]):
    district = serializers.UUIDField(required=False, help_text="Left out: the account's own district")
    path = serializers.CharField(max_length=200, help_text="A parameter's dotted path (see /benefits/parameters/)")
    start = serializers.DateField()
    value = serializers.CharField(max_length=20, help_text="The draft value, at most two decimals")
    page = serializers.IntegerField(min_value=1, max_value=100_000, required=False, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False, default=50)


# --- operations --------------------------------------------------------------------------------------


def _district_param(request: Request) -> str | None:
    return request.query_params.get("district") or None


class ParameterListApi(ApiView):
    @extend_schema(parameters=[DISTRICT_PARAMETER], responses=ParameterOutput(many=True))
    def get(self, request: Request) -> Response:
        """Every shipped parameter as in force for the district: the value today and every dated value
        with its mark (verified / single_source / example), source (shipped file or district file
        version) and reference. Needs benefits.view (staff)."""
        district = access_policy_district_by_public_id(user=request.user, public_id=_district_param(request))
        sections = policy_sections(policy=district_policy(district_id=district.pk), today=timezone.localdate())
        seen: set[str] = set()
        rows = []
        for section in sections:
            for row in section.parameters:
                if row.path not in seen:
                    seen.add(row.path)
                    rows.append(_parameter(row))
        return Response(ParameterOutput(rows, many=True).data)


class PolicyFileListApi(PaginatedApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(parameters=[DISTRICT_PARAMETER], responses=PolicyFileOutput(many=True))
    def get(self, request: Request) -> Response:
        """The district's loaded policy files, newest version first. Needs benefits.view (staff)."""
        district = access_policy_district_by_public_id(user=request.user, public_id=_district_param(request))
        return paginated(request, self, policy_files_of(district=district), PolicyFileOutput)

    @extend_schema(
        parameters=[DISTRICT_PARAMETER],
        request={"multipart/form-data": PolicyFileInput},
        responses={201: PolicyFileOutput, 400: OpenApiResponse()},
    )
    def post(self, request: Request) -> Response:
        """Load a district policy file as the district's next version (field `file`, with
        `effective_from` and `note`). Needs benefits.policy and a district-level account. Each refusal
        names the parameter path and the reason under `file`; an identical file is refused."""
        district = access_policy_district_by_public_id(
            user=request.user, public_id=_district_param(request), perm=Perm.BENEFITS_POLICY
        )
        payload = PolicyFileInput(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        row = policy_file_load(
            actor=request.user,
            district=district,
            name=upload.name or "",
            content=upload.read(MAX_FILE_BYTES + 1),  # one byte more than allowed is enough to refuse
            effective_from=payload.validated_data["effective_from"],
            note=payload.validated_data["note"],
        )
        return created(PolicyFileOutput(row).data)


class WhatIfApi(ApiView):
    @extend_schema(request=WhatIfInput, responses={200: WhatIfOutput, 400: OpenApiResponse()})
    def post(self, request: Request) -> Response:
        """The 12-month cost of one draft value (path, start, value) for the two monthly schemes against
        the policy in force, month by month, and one page of who gains or loses (elders masked).
        Nothing is saved; the request is audited as a view. Needs benefits.policy and a district-level
        account. Facts of today are held for the months after this one."""
        require_perm(request.user, Perm.BENEFITS_POLICY)  # before the body says anything
        payload = WhatIfInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        district = access_policy_district_by_public_id(
            user=request.user, public_id=data.get("district"), perm=Perm.BENEFITS_POLICY
        )
        result = what_if_compute(
            actor=request.user, district=district, path=data["path"], start=data["start"], value=data["value"]
        )
        return Response(WhatIfOutput(what_if_output(result, data["page"], data["page_size"])).data)
