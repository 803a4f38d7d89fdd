"""Input and output shapes of the benefits API. Meaning is checked by the services; amounts are
output only (the server computes them), as strings of yuan with two places."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yiyang.accounts.api.disclosure import disclosure_in
from yiyang.accounts.selectors import person_label
from yiyang.benefits.choices import ApplicationStatus, EntitlementStatus, Scheme
from yiyang.benefits.declared import fact_rows
from yiyang.benefits.models import Application, Attachment, Entitlement, Instalment
from yiyang.benefits.services.applications import NOTE_MAX

QUEUES = (("street_review", "待街道审核（本人审核的队列）"), ("district_decision", "待区级审批（本人审批的队列）"))
DECISIONS = (("approve", "通过"), ("refuse", "不予通过"))


# ------------------------------------------------------------------------------------------ inputs
class ApplicationFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, required=False, allow_blank=True)
    scheme = serializers.ChoiceField(choices=Scheme.choices, required=False, allow_blank=True)
    street = serializers.UUIDField(required=False)
    search = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="对象名称（包含）")
    queue = serializers.ChoiceField(choices=QUEUES, required=False, allow_blank=True)


class EntitlementFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=EntitlementStatus.choices, required=False, allow_blank=True)
    scheme = serializers.ChoiceField(choices=Scheme.choices, required=False, allow_blank=True)
    street = serializers.UUIDField(required=False)
    search = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="对象名称（包含）")


class BenefitApplicationInput(serializers.Serializer[Any]):
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    elder = serializers.UUIDField(required=False, allow_null=True, help_text="入住机构养老服务补贴：老年人")
    organisation = serializers.UUIDField(
        required=False, allow_null=True, help_text="机构类项目：机构；护理人员类项目：聘用机构"
    )
    worker_name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    worker_national_id = serializers.CharField(required=False, allow_blank=True, max_length=18, default="")
    facts = serializers.DictField(required=False, default=dict, help_text="申报事实（一次性项目），按项目而定")
    requested_from = serializers.DateField()
    payee_name = serializers.CharField(max_length=100, allow_blank=True)
    payee_account = serializers.CharField(max_length=32, allow_blank=True, help_text="8 至 32 位数字")
    payee_bank = serializers.CharField(max_length=100, allow_blank=True)
    idempotency_key = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default="", help_text="同一申请人再次提交同一键时返回原申请"
    )


class BenefitReviewInput(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=DECISIONS)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX, default="", help_text="不予通过时必填"
    )


class BenefitDecisionInput(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=DECISIONS)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX, default="", help_text="不予通过时必填"
    )


class EntitlementEndInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=NOTE_MAX, allow_blank=True)
    ends_on = serializers.DateField(required=False, allow_null=True, help_text="默认今天")


# ----------------------------------------------------------------------------------------- outputs
class BenefitAreaRef(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class BenefitPersonRef(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    label = serializers.SerializerMethodField()  # type: ignore[assignment]  # a field named like a Field attribute

    def get_label(self, obj: Any) -> str:
        return person_label(obj)


class BenefitSubjectOutput(serializers.Serializer[Any]):
    kind = serializers.CharField()
    id = serializers.UUIDField(allow_null=True, help_text="老年人或机构的 id；护理人员为空")
    name = serializers.CharField()
    organisation = serializers.CharField(allow_null=True, help_text="护理人员的聘用机构")


def _subject(obj: Any, context: Any) -> dict[str, Any]:
    disclosure = disclosure_in(context)
    if obj.elder_id:
        return {
            "kind": "elder",
            "id": obj.elder.public_id,
            "name": disclosure.name(obj.elder.name),
            "organisation": None,
        }
    if obj.subject_kind == "worker":
        employer = obj.organisation.name if obj.organisation_id else None
        return {"kind": "worker", "id": None, "name": obj.worker_name, "organisation": employer}
    return {
        "kind": "organisation",
        "id": obj.organisation.public_id,
        "name": obj.organisation.name,
        "organisation": None,
    }


class _Common(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    scheme = serializers.CharField()
    scheme_label = serializers.CharField(source="get_scheme_display")
    subject = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    street = BenefitAreaRef()
    payee_name = serializers.CharField()
    payee_account = serializers.SerializerMethodField(help_text="列表中脱敏")
    payee_bank = serializers.CharField()

    @extend_schema_field(BenefitSubjectOutput)
    def get_subject(self, obj: Any) -> dict[str, Any]:
        return BenefitSubjectOutput(_subject(obj, self.context)).data

    def get_payee_account(self, obj: Any) -> str:
        disclosure = disclosure_in(self.context)
        return (disclosure if self.context.get("detail") else disclosure.listed).bank_account(obj.payee_account)


class ApplicationListOutput(_Common):
    channel = serializers.CharField()
    requested_from = serializers.DateField()
    submitted_at = serializers.DateTimeField()
    applicant = BenefitPersonRef()


class BenefitAttachmentOutput(serializers.ModelSerializer[Attachment]):
    id = serializers.UUIDField(source="public_id")
    uploaded_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at"]


class BenefitFactRowOutput(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    value = serializers.CharField()


class ApplicationDetailOutput(ApplicationListOutput):
    district = BenefitAreaRef()
    worker_national_id = serializers.SerializerMethodField()
    facts = serializers.DictField()
    fact_rows = serializers.SerializerMethodField()
    street_reviewer = BenefitPersonRef(allow_null=True)
    street_reviewed_at = serializers.DateTimeField(allow_null=True)
    street_note = serializers.CharField()
    decided_by = BenefitPersonRef(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    refusal_reason = serializers.CharField()
    attachments = serializers.SerializerMethodField()
    entitlement = serializers.SerializerMethodField()

    def get_worker_national_id(self, obj: Application) -> str:
        return disclosure_in(self.context).national_id(obj.worker_national_id)

    @extend_schema_field(BenefitFactRowOutput(many=True))
    def get_fact_rows(self, obj: Application) -> list[dict[str, str]]:
        return [{"label": label, "value": value} for label, value in fact_rows(obj.scheme, obj.facts)]

    @extend_schema_field(BenefitAttachmentOutput(many=True))
    def get_attachments(self, obj: Application) -> list[dict[str, Any]]:
        rows = self.context.get("attachments", [])
        return list(BenefitAttachmentOutput(rows, many=True).data)

    def get_entitlement(self, obj: Application) -> str | None:
        entitlement = Entitlement.objects.filter(application=obj).values_list("public_id", flat=True).first()
        return str(entitlement) if entitlement else None


class BenefitInstalmentOutput(serializers.ModelSerializer[Instalment]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    explanation = serializers.DictField()
    paid = serializers.SerializerMethodField()

    class Meta:
        model = Instalment
        fields = ["sequence", "due_month", "amount", "explanation", "paid"]

    def get_paid(self, obj: Instalment) -> bool:
        return hasattr(obj, "paid_by")


class EntitlementListOutput(_Common):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    stop_reason = serializers.CharField()
    stop_reason_label = serializers.CharField(source="get_stop_reason_display")


class EntitlementDetailOutput(EntitlementListOutput):
    district = BenefitAreaRef()
    application = serializers.UUIDField(source="application.public_id")
    facts = serializers.DictField()
    fact_rows = serializers.SerializerMethodField()
    instalments = serializers.SerializerMethodField()

    @extend_schema_field(BenefitFactRowOutput(many=True))
    def get_fact_rows(self, obj: Entitlement) -> list[dict[str, str]]:
        return [{"label": label, "value": value} for label, value in fact_rows(obj.scheme, obj.facts)]

    @extend_schema_field(BenefitInstalmentOutput(many=True))
    def get_instalments(self, obj: Entitlement) -> list[dict[str, Any]]:
        return list(BenefitInstalmentOutput(self.context.get("instalments", []), many=True).data)
