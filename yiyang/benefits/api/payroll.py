"""API of payroll runs, their lines and files, budgets and the ledger (/api/v1/benefits/...).

Reads need `benefits.view` and an account placed at a district (payroll_access); compute, lock,
exports and budgets need `benefits.payroll`. Accounts are masked in every answer; only the bank file
carries them in full.
"""

from typing import Any

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import audit_record_shown, shown_by
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_list_view, audit_record
from yiyang.benefits.choices import LineKind, PayrollStatus, Scheme
from yiyang.benefits.models import Budget, PayrollLine, PayrollRun
from yiyang.benefits.payroll_access import (
    access_district_by_public_id,
    access_payroll_run_by_public_id,
    payroll_districts_in_reach,
    require_payroll_reader,
)
from yiyang.benefits.payroll_files import CSV_CONTENT_TYPE, payment_file_download, workbook_download
from yiyang.benefits.payroll_selectors import (
    LineFilters,
    RunFilters,
    budget_ledger,
    explain_line,
    month_from_text,
    payroll_run_lines,
    payroll_run_list,
    payroll_run_parameters,
    payroll_run_totals,
)
from yiyang.benefits.services.budgets import budget_set
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.benefits.services.payroll_exports import payroll_payment_file, payroll_workbook
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.excel import XLSX_CONTENT_TYPE
from yiyang.core.idempotency import idempotent
from yiyang.elders.api.serializers import AreaRefSerializer

# --- shapes -------------------------------------------------------------------------------------------


class PayrollRunOutput(serializers.ModelSerializer[PayrollRun]):
    id = serializers.UUIDField(source="public_id")
    district = AreaRefSerializer()
    month = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="净额（元），追回已扣除")
    computed_by = serializers.SerializerMethodField()
    locked_by = serializers.SerializerMethodField()

    class Meta:
        model = PayrollRun
        fields = [
            "id", "district", "month", "status", "status_label", "total", "line_count",
            "computed_at", "computed_by", "locked_at", "locked_by",
        ]  # fmt: skip

    def get_month(self, obj: PayrollRun) -> str:
        return f"{obj.month:%Y-%m}"

    def get_computed_by(self, obj: PayrollRun) -> str:
        return obj.computed_by.get_username()

    def get_locked_by(self, obj: PayrollRun) -> str | None:
        return obj.locked_by.get_username() if obj.locked_by is not None else None


class TotalOutput(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField(source="label")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    count = serializers.IntegerField()


class RunTotalsOutput(serializers.Serializer[Any]):
    """Net = the run's total; the bank file pays the positive lines (bank_total); recoveries are
    the negative lines, collected separately."""

    net = serializers.DecimalField(max_digits=14, decimal_places=2)
    count = serializers.IntegerField()
    bank_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    bank_count = serializers.IntegerField()
    recoveries_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    recoveries_count = serializers.IntegerField()
    by_scheme = TotalOutput(many=True)
    by_kind = TotalOutput(many=True)


class PayrollParameterOutput(serializers.Serializer[Any]):
    path = serializers.CharField()
    description = serializers.CharField(help_text="参数说明（中文，参数文件原文）")
    description_en = serializers.CharField(
        allow_blank=True, help_text="The English description beside it (empty in runs made before the files had one)"
    )
    value = serializers.CharField()
    unit = serializers.CharField()
    start = serializers.CharField(help_text="该取值的生效日期")
    file = serializers.CharField(help_text="参数文件（随系统发布）或 district:<版本>（区级政策文件）")
    status = serializers.CharField(help_text="verified、single_source 或 example")
    mark = serializers.CharField(help_text="已核实 / 未核实（单一来源） / 示例值")
    references = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class PayrollRunDetailOutput(PayrollRunOutput):
    totals = serializers.SerializerMethodField()
    parameters = serializers.SerializerMethodField()

    class Meta(PayrollRunOutput.Meta):
        fields = [*PayrollRunOutput.Meta.fields, "totals", "parameters"]

    @extend_schema_field(RunTotalsOutput)
    def get_totals(self, obj: PayrollRun) -> dict[str, Any]:
        return dict(RunTotalsOutput(payroll_run_totals(run=obj)).data)

    @extend_schema_field(PayrollParameterOutput(many=True))
    def get_parameters(self, obj: PayrollRun) -> list[dict[str, Any]]:
        return list(PayrollParameterOutput(payroll_run_parameters(run=obj), many=True).data)


class ExplanationOutput(serializers.Serializer[Any]):
    sentences = serializers.ListField(child=serializers.CharField())
    parameters = PayrollParameterOutput(many=True)


class PayrollLineOutput(serializers.ModelSerializer[PayrollLine]):
    scheme_label = serializers.CharField(source="get_scheme_display")
    kind_label = serializers.CharField(source="get_kind_display")
    for_month = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    payee_account_masked = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = PayrollLine
        fields = [
            "scheme", "scheme_label", "kind", "kind_label", "for_month", "subject", "payee_name",
            "payee_account_masked", "payee_bank", "amount", "explanation",
        ]  # fmt: skip

    def get_for_month(self, obj: PayrollLine) -> str:
        return f"{obj.for_month:%Y-%m}"

    def get_subject(self, obj: PayrollLine) -> str:
        entitlement = obj.entitlement
        if entitlement.elder_id is not None:
            return entitlement.elder.name  # type: ignore[union-attr]
        if entitlement.organisation_id is not None:
            return entitlement.organisation.name  # type: ignore[union-attr]
        return entitlement.worker_name

    def get_payee_account_masked(self, obj: PayrollLine) -> str:
        return disclosure_for(self.context["user"]).listed.bank_account(obj.payee_account)

    @extend_schema_field(ExplanationOutput)
    def get_explanation(self, obj: PayrollLine) -> dict[str, Any]:
        return dict(ExplanationOutput(explain_line(obj, self.context["parameters"])).data)


class BudgetOutput(serializers.ModelSerializer[Budget]):
    id = serializers.UUIDField(source="public_id")
    district = AreaRefSerializer()
    scheme_label = serializers.CharField(source="get_scheme_display")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = Budget
        fields = ["id", "district", "scheme", "scheme_label", "year", "amount", "updated_at"]


class LedgerRowOutput(serializers.Serializer[Any]):
    scheme = serializers.CharField(help_text="空：合计行")
    name = serializers.CharField(source="label")
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    paid_by_month = serializers.ListField(child=serializers.DecimalField(max_digits=14, decimal_places=2))
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    computed = serializers.DecimalField(max_digits=14, decimal_places=2)
    scheduled = serializers.DecimalField(max_digits=14, decimal_places=2)
    projected = serializers.DecimalField(max_digits=14, decimal_places=2)
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class LedgerOutput(serializers.Serializer[Any]):
    district = AreaRefSerializer()
    year = serializers.IntegerField()
    rows = LedgerRowOutput(many=True)
    total = LedgerRowOutput()
    locked_months = serializers.ListField(child=serializers.DateField())
    computed_months = serializers.ListField(child=serializers.DateField())
    projection_basis = serializers.DateField(allow_null=True)
    months_projected = serializers.IntegerField()


class RunFilterQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=PayrollStatus.choices, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    district = serializers.UUIDField(required=False)


class LineFilterQuery(serializers.Serializer[Any]):
    scheme = serializers.ChoiceField(choices=Scheme.choices, required=False)
    kind = serializers.ChoiceField(choices=LineKind.choices, required=False)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="收款人或享受对象姓名（包含）"
    )


class YearQuery(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="默认今年")
    district = serializers.UUIDField(required=False, help_text="可见多个区时必填")


class PayrollComputeInput(serializers.Serializer[Any]):
    month = serializers.CharField(max_length=10, help_text="发放月份 YYYY-MM")
    district = serializers.UUIDField(required=False, help_text="可见多个区时必填")


class BudgetInput(serializers.Serializer[Any]):
    district = serializers.UUIDField(required=False, help_text="可见多个区时必填")
    scheme = serializers.CharField(max_length=40, help_text="补贴项目：" + "、".join(Scheme.values))
    year = serializers.IntegerField()
    amount = serializers.CharField(max_length=20, help_text="预算金额（元，最多两位小数），以文字传递以免浮点误差")


# --- views --------------------------------------------------------------------------------------------


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return {k: v for k, v in serializer.validated_data.items() if v not in ("", None)}


class PayrollRunListApi(PaginatedApi):
    @extend_schema(parameters=[RunFilterQuery], responses=PayrollRunOutput(many=True))
    def get(self, request: Request) -> Response:
        """Payroll runs of the districts in reach, newest month first."""
        require_payroll_reader(request.user)
        params = _valid(RunFilterQuery(data=request.query_params))
        district = (
            access_district_by_public_id(user=request.user, public_id=params["district"])
            if "district" in params
            else None
        )
        qs = payroll_run_list(
            user=request.user,
            filters=RunFilters(status=params.get("status", ""), year=params.get("year"), district=district),
        )
        return paginated(request, self, qs, PayrollRunOutput, shown=shown_by(request.user, "payroll_run"))

    @extend_schema(request=PayrollComputeInput, responses={201: PayrollRunDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request) -> Response:
        """Compute (or recompute, while not locked) a district's payroll for a month."""
        require_perm(request.user, Perm.BENEFITS_PAYROLL)
        require_payroll_reader(request.user)
        payload = PayrollComputeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        district = access_district_by_public_id(user=request.user, public_id=payload.validated_data.get("district"))
        month = month_from_text(payload.validated_data["month"])
        run = payroll_compute(actor=request.user, district=district, month=month)
        run = access_payroll_run_by_public_id(user=request.user, public_id=run.public_id)
        return created(PayrollRunDetailOutput(run).data)


class PayrollRunDetailApi(ApiView):
    @extend_schema(responses=PayrollRunDetailOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """One run with its totals (net, bank, recoveries, by scheme and kind) and every parameter
        value it used with its mark and source."""
        run = access_payroll_run_by_public_id(user=request.user, public_id=public_id)
        audit_record_shown(actor=request.user, entity_type="payroll_run", record=run)
        return Response(PayrollRunDetailOutput(run).data)


class PayrollRunLinesApi(PaginatedApi):
    @extend_schema(parameters=[LineFilterQuery], responses=PayrollLineOutput(many=True))
    def get(self, request: Request, public_id: str) -> Response:
        """The run's lines (accounts masked), each with its explanation in words."""
        run = access_payroll_run_by_public_id(user=request.user, public_id=public_id)
        params = _valid(LineFilterQuery(data=request.query_params))
        qs = payroll_run_lines(
            run=run,
            filters=LineFilters(
                scheme=params.get("scheme", ""), kind=params.get("kind", ""), search=params.get("q", "")
            ),
        )
        return paginated(
            request,
            self,
            qs,
            PayrollLineOutput,
            context={"user": request.user, "parameters": run.parameters or {}},
            shown=lambda rows: audit_list_view(
                actor=request.user,
                entity_type="payroll_line",
                ids=[line.pk for line in rows],
                district=run.district_id,
                summary=f"查看发放明细（{len(rows)}条）",
            ),
        )


class PayrollRunLockApi(ApiView):
    @extend_schema(request=None, responses={200: PayrollRunDetailOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        """Lock a computed run: its lines become final and the entitlements whose facts stopped end."""
        run = access_payroll_run_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_PAYROLL)
        payroll_lock(actor=request.user, run=run)
        run = access_payroll_run_by_public_id(user=request.user, public_id=public_id)
        return Response(PayrollRunDetailOutput(run).data)


class PayrollRunWorkbookApi(ApiView):
    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request, public_id: str) -> FileResponse:
        """The run as an Excel workbook: summary, lines with explanations, recoveries, parameters used
        (accounts masked); audited."""
        run = access_payroll_run_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_PAYROLL)
        return workbook_download(payroll_workbook(actor=request.user, run=run))


class PayrollRunPaymentFileApi(ApiView):
    @extend_schema(responses={(200, CSV_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request, public_id: str) -> HttpResponse:
        """The bank payment file of a locked run: CSV (UTF-8 with BOM) `账号,户名,金额`, one row per
        positive line, accounts in full; recoveries are not in it. Audited."""
        run = access_payroll_run_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_PAYROLL)
        return payment_file_download(payroll_payment_file(actor=request.user, run=run))


class BudgetListApi(PaginatedApi):
    @extend_schema(parameters=[YearQuery], responses=BudgetOutput(many=True))
    def get(self, request: Request) -> Response:
        """Budgets of the districts in reach (of one year if asked), by year then scheme."""
        require_payroll_reader(request.user)
        params = _valid(YearQuery(data=request.query_params))
        qs = Budget.objects.filter(district__in=payroll_districts_in_reach(user=request.user))
        if "district" in params:
            qs = qs.filter(district=access_district_by_public_id(user=request.user, public_id=params["district"]))
        if "year" in params:
            qs = qs.filter(year=params["year"])
        qs = qs.select_related("district").order_by("-year", "district__code", "scheme")
        return paginated(request, self, qs, BudgetOutput, shown=shown_by(request.user, "benefit_budget"))

    @extend_schema(request=BudgetInput, responses={201: BudgetOutput, 400: OpenApiResponse()})
    @idempotent
    def post(self, request: Request) -> Response:
        """Set a district's budget for one scheme and year (replaces the earlier amount)."""
        require_perm(request.user, Perm.BENEFITS_PAYROLL)
        require_payroll_reader(request.user)
        payload = BudgetInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        district = access_district_by_public_id(user=request.user, public_id=data.get("district"))
        budget = budget_set(
            actor=request.user, district=district, scheme=data["scheme"], year=data["year"], amount=data["amount"]
        )
        return created(BudgetOutput(budget).data)


class LedgerApi(ApiView):
    @extend_schema(parameters=[YearQuery], responses=LedgerOutput)
    def get(self, request: Request) -> Response:
        """A district's ledger for a year: per scheme budget, paid by month, computed, scheduled,
        projected, committed and remaining."""
        require_payroll_reader(request.user)
        params = _valid(YearQuery(data=request.query_params))
        district = access_district_by_public_id(user=request.user, public_id=params.get("district"))
        ledger = budget_ledger(district=district, year=params.get("year") or timezone.localdate().year)
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            entity_type="benefit_budget",
            summary=f"查看补贴预算台账（{ledger.year}年）",
            district=district.pk,
        )
        return Response(LedgerOutput(ledger).data)
