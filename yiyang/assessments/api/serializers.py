"""Input and output shapes of the assessment API. Meaning is checked by the services; the result of
an assessment is only ever output (the server computes it)."""

from typing import Any

from rest_framework import serializers

from yiyang.accounts.api.disclosure import disclosure_in
from yiyang.accounts.selectors import person_label, person_name, signed_label
from yiyang.assessments.choices import AssessmentReason, AssessmentStatus, DueReason
from yiyang.assessments.models import Assessment, PolicyVersion
from yiyang.assessments.presentation import scale_title, unverified_parts
from yiyang.core.api import TEXT_MAX_CHARS


# --------------------------------------------------------------------------------------- scales
class ScaleSourceOutput(serializers.Serializer[Any]):
    id = serializers.CharField()
    title = serializers.CharField()
    reference = serializers.CharField()
    verified = serializers.BooleanField()
    note = serializers.CharField()


class ScaleOptionOutput(serializers.Serializer[Any]):
    score = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    text = serializers.CharField(allow_null=True)
    verified = serializers.BooleanField()
    note = serializers.CharField()


class ScaleItemOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    group = serializers.CharField()
    text = serializers.CharField()
    note = serializers.CharField()
    options = ScaleOptionOutput(many=True)


class ScaleBandOutput(serializers.Serializer[Any]):
    level = serializers.IntegerField()
    name = serializers.CharField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    verified = serializers.BooleanField()
    sources = serializers.ListField(child=serializers.CharField())


class ScaleGroupOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    max = serializers.IntegerField()
    items = serializers.ListField(child=serializers.CharField())
    bands = ScaleBandOutput(many=True)


class ScaleLevelOutput(serializers.Serializer[Any]):
    level = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()


class ScaleFactOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # a field named like a Field attribute (DRF pops declared fields)
    text = serializers.CharField()


class ScaleRuleOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    clause = serializers.CharField(allow_null=True)
    text = serializers.CharField()
    verified = serializers.BooleanField()
    sources = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()


class ScaleSettingOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    default = serializers.BooleanField()
    text = serializers.CharField()
    verified = serializers.BooleanField()
    note = serializers.CharField()


class ScaleCombinationOutput(serializers.Serializer[Any]):
    rows = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    index = serializers.CharField()
    table = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    text = serializers.CharField()
    verified = serializers.BooleanField()
    note = serializers.CharField()


class ScaleListOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.SerializerMethodField()
    standard = serializers.CharField()
    status = serializers.CharField()
    max_total = serializers.IntegerField(allow_null=True)
    item_count = serializers.SerializerMethodField()
    verified = serializers.SerializerMethodField()
    unverified = serializers.SerializerMethodField()

    def get_title(self, obj: Any) -> str:
        return scale_title(obj.code)

    def get_item_count(self, obj: Any) -> int:
        return len(obj.items)

    def get_verified(self, obj: Any) -> bool:
        """False when any source, band, rule, setting or table of the shipped data is unverified."""
        return not unverified_parts(obj)

    def get_unverified(self, obj: Any) -> list[str]:
        """Each unverified part of the shipped data, named (sources, rules, settings, bands, table)."""
        return unverified_parts(obj)


class ScaleDetailOutput(ScaleListOutput):
    issued = serializers.DateField(allow_null=True)
    effective = serializers.DateField(allow_null=True)
    superseded_by = serializers.CharField(allow_null=True)
    dates_note = serializers.CharField()
    direction = serializers.CharField()
    note = serializers.CharField()
    sources = ScaleSourceOutput(many=True)
    facts = ScaleFactOutput(many=True)
    groups = ScaleGroupOutput(many=True)
    items = ScaleItemOutput(many=True)
    levels = ScaleLevelOutput(many=True)
    bands = ScaleBandOutput(many=True)
    combination = ScaleCombinationOutput(allow_null=True)
    rules = ScaleRuleOutput(many=True)
    settings = ScaleSettingOutput(many=True)
    policy_keys = serializers.ListField(child=serializers.CharField())


# ---------------------------------------------------------------------------------- assessments
class PersonRef(serializers.Serializer[Any]):
    """A person who acted, as pages name them (`accounts.selectors.person_label`)."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.SerializerMethodField()
    qualification_number = serializers.CharField()
    label = serializers.SerializerMethodField(help_text="姓名（证书编号）· 所属机构（无机构时为辖区）")  # type: ignore[assignment]  # a field named like a Field attribute

    def get_name(self, obj: Any) -> str:
        return person_name(obj)

    def get_label(self, obj: Any) -> str:
        return person_label(obj)


class ElderRef(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()  # every role with an assessment in reach sees the name (`accounts.disclosure`)
    national_id_masked = serializers.SerializerMethodField()

    def get_national_id_masked(self, obj: Any) -> str:
        return disclosure_in(self.context).listed.national_id(obj.national_id)


class PolicyRef(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    effective_from = serializers.DateField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute (DRF pops declared fields)
    verified = serializers.BooleanField()


class AssessmentListOutput(serializers.ModelSerializer[Assessment]):
    id = serializers.UUIDField(source="public_id")
    elder = ElderRef()
    scale_title = serializers.SerializerMethodField()
    assessor = PersonRef()
    reviewer = PersonRef(allow_null=True)
    supersedes = serializers.UUIDField(source="supersedes.public_id", allow_null=True, default=None)

    class Meta:
        model = Assessment
        fields = [
            "id", "elder", "scale", "scale_title", "reason", "assessed_on", "status", "total", "level",
            "level_name", "level_code", "verified", "valid_until", "assessor", "reviewer", "supersedes",
            "submitted_at", "confirmed_at",
        ]  # fmt: skip

    def get_scale_title(self, obj: Assessment) -> str:
        return scale_title(obj.scale)


class AssessmentDetailOutput(AssessmentListOutput):
    """The whole record: answers, the computed result with its explanation and unverified values."""

    policy = PolicyRef(allow_null=True)
    superseded_by = serializers.SerializerMethodField()
    assessor_signed = serializers.SerializerMethodField(
        help_text="The assessor as they were when they submitted (what the PDF report shows)"
    )
    reviewer_signed = serializers.SerializerMethodField(
        help_text="The reviewer as they were when they confirmed or returned it; empty before"
    )

    class Meta(AssessmentListOutput.Meta):
        fields = [
            *AssessmentListOutput.Meta.fields,
            "assessor_signed", "reviewer_signed",
            "answers", "result", "scale_version", "policy", "scoring_settings", "note", "returned_reason",
            "returned_at", "superseded_by", "created_at", "updated_at",
        ]  # fmt: skip

    def get_assessor_signed(self, obj: Assessment) -> str:
        return signed_label(obj.assessor_snapshot, obj.assessor)

    def get_reviewer_signed(self, obj: Assessment) -> str:
        return signed_label(obj.reviewer_snapshot, obj.reviewer)

    def get_superseded_by(self, obj: Assessment) -> str | None:
        successor = getattr(obj, "superseded_by", None)
        return str(successor.public_id) if successor is not None else None


class AssessmentDueOutput(AssessmentListOutput):
    due_reason = serializers.ChoiceField(choices=DueReason.choices)
    days_left = serializers.SerializerMethodField()

    class Meta(AssessmentListOutput.Meta):
        fields = [*AssessmentListOutput.Meta.fields, "due_reason", "days_left", "returned_reason"]

    def get_days_left(self, obj: Assessment) -> int | None:
        """Days until validity ends (negative once lapsed); null for a returned record."""
        if obj.status == AssessmentStatus.RETURNED or obj.valid_until is None:
            return None
        return (obj.valid_until - self.context["today"]).days


class AssessmentFilterSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField(required=False)
    scale = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, required=False, allow_blank=True)
    due = serializers.BooleanField(required=False, default=False)


class DueFilterSerializer(serializers.Serializer[Any]):
    within_days = serializers.IntegerField(required=False, min_value=0, max_value=3660)


class AssessmentCreateInput(serializers.Serializer[Any]):
    elder = serializers.UUIDField()
    scale = serializers.CharField(max_length=32)
    reason = serializers.ChoiceField(choices=AssessmentReason.choices)
    assessed_on = serializers.DateField()
    answers = serializers.DictField(required=False, default=dict)
    note = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True, default="")


class AssessmentUpdateInput(serializers.Serializer[Any]):
    answers = serializers.DictField(required=False)
    reason = serializers.ChoiceField(choices=AssessmentReason.choices, required=False)
    assessed_on = serializers.DateField(required=False)
    note = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True)


class ReturnInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True)


class CorrectInput(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True)


class ScoreInput(serializers.Serializer[Any]):
    scale = serializers.CharField(max_length=32)
    answers = serializers.DictField()


class StepOutput(serializers.Serializer[Any]):
    kind = serializers.CharField()
    text = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]  # a field named like a Field attribute (DRF pops declared fields)


class ScoreOutput(serializers.Serializer[Any]):
    """The scale layer's result as computed (ScaleResult.as_dict)."""

    scale = serializers.CharField()
    scale_name = serializers.CharField()
    total = serializers.IntegerField(allow_null=True)
    group_totals = serializers.DictField(child=serializers.IntegerField())
    group_levels = serializers.DictField()
    preliminary_level = serializers.IntegerField(allow_null=True)
    level = serializers.IntegerField()
    level_name = serializers.CharField()
    level_code = serializers.CharField()
    may_apply = serializers.BooleanField(allow_null=True)
    rules_applied = serializers.ListField(child=serializers.CharField())
    settings = serializers.DictField(child=serializers.BooleanField())
    explanation = StepOutput(many=True)
    unverified = serializers.ListField(child=serializers.CharField())
    verified = serializers.BooleanField()


class LevelOutput(serializers.Serializer[Any]):
    family = serializers.CharField()
    current = AssessmentListOutput(allow_null=True)
    lapsed = AssessmentListOutput(allow_null=True)
    history = AssessmentListOutput(many=True)


class ElderLevelsOutput(serializers.Serializer[Any]):
    ability = LevelOutput()
    long_term_care = LevelOutput()
    others = AssessmentListOutput(many=True)


# ---------------------------------------------------------------------------------------- policy
class PolicyVersionOutput(serializers.ModelSerializer[PolicyVersion]):
    id = serializers.UUIDField(source="public_id")
    district = serializers.CharField(source="district.name", allow_null=True, default=None)
    settings = serializers.DictField(source="scoring_settings")
    loaded_by = PersonRef()
    loaded_at = serializers.DateTimeField()
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = PolicyVersion
        fields = [
            "id", "scale", "district", "effective_from", "source", "verified", "note", "data", "settings",
            "fingerprint", "loaded_by", "loaded_at", "is_current",
        ]  # fmt: skip

    def get_is_current(self, obj: PolicyVersion) -> bool:
        """Whether this version is the one in force today for the caller's district."""
        current: set[int] = self.context.get("current_ids", set())
        return obj.pk in current


class PolicyVersionInput(serializers.Serializer[Any]):
    scale = serializers.CharField(max_length=32)
    effective_from = serializers.DateField()
    source = serializers.CharField(max_length=TEXT_MAX_CHARS, allow_blank=True)  # type: ignore[assignment]  # a field named like a Field attribute (DRF pops declared fields)
    verified = serializers.BooleanField()
    note = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True, default="")
    policy = serializers.DictField(required=False, default=dict)
    settings = serializers.DictField(required=False, allow_null=True, default=None)


class PolicyFilterSerializer(serializers.Serializer[Any]):
    scale = serializers.CharField(required=False, allow_blank=True)
