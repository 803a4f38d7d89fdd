from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yiyang.accounts.api.disclosure import disclosure_in
from yiyang.alerts.choices import AlertCategory, AlertStatus, CloseCode, DispatchTarget, Severity, category_of
from yiyang.core.api import LimitedDateField


class AlertFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("active", "active"), ("closed", "closed"), *AlertStatus.choices], required=False, allow_blank=True
    )
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, allow_blank=True)
    alert_type = serializers.CharField(required=False, allow_blank=True, max_length=40)
    street = serializers.UUIDField(required=False, allow_null=True)
    category = serializers.ChoiceField(
        choices=AlertCategory.choices,
        required=False,
        allow_blank=True,
        help_text=(
            "`health`: health & safety alerts (every severity but `technical`); `technical`: device faults "
            "(device offline, not worn, low battery; severity `technical`). Omitted: both."
        ),
    )


class AlertOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    alert_type = serializers.CharField()
    severity = serializers.CharField()
    category = serializers.SerializerMethodField()
    status = serializers.CharField()
    elder = serializers.SerializerMethodField()
    street = serializers.CharField(source="street.name")
    rule = serializers.CharField()
    opened_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    repeat_count = serializers.IntegerField()
    last_detail = serializers.JSONField()
    condition_cleared_at = serializers.DateTimeField(allow_null=True)
    escalation_step = serializers.IntegerField()
    next_escalation_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    dispatched_at = serializers.DateTimeField(allow_null=True)
    dispatch_target = serializers.CharField()
    dispatched_to = serializers.CharField()
    on_scene_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    close_code = serializers.CharField()
    note = serializers.CharField()

    @extend_schema_field(serializers.ChoiceField(choices=AlertCategory.choices))
    def get_category(self, alert: Any) -> str:
        return category_of(alert.severity).value

    def get_elder(self, alert: Any) -> dict[str, str]:
        """The elder's name as the viewer's role policy shows it (`accounts.disclosure`), as the
        alert pages do."""
        return {"id": str(alert.elder.public_id), "name": disclosure_in(self.context).name(alert.elder.name)}


class AlertDetailOutput(AlertOutput):
    policy = serializers.JSONField()


class AlertEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.get_username", default=None, allow_null=True)
    channel = serializers.CharField()
    detail = serializers.JSONField()


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class DispatchInput(NoteInput):
    target = serializers.ChoiceField(choices=DispatchTarget.choices)
    to_name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class CloseInput(NoteInput):
    close_code = serializers.ChoiceField(choices=CloseCode.choices)


class SlaFilterSerializer(serializers.Serializer):
    start = LimitedDateField(required=False)
    end = LimitedDateField(required=False)


class PolicyInput(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    policy = serializers.JSONField()
    # Required by `escalation_policy_set`: missing or blank is passed on so that the service answers
    # with its one error naming `source` (together with any problems of the policy document).
    source = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")  # type: ignore[assignment]


class SlaGroupOutput(serializers.Serializer):
    """Documentation of one group of the SLA report (built by `alerts.selectors.alert_sla_report`)."""

    alerts = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    acknowledged_within_60s_pct = serializers.FloatField(allow_null=True)
    acknowledged_within_180s_pct = serializers.FloatField(allow_null=True)
    time_to_acknowledge_p50_s = serializers.FloatField(allow_null=True)
    time_to_acknowledge_p90_s = serializers.FloatField(allow_null=True)
    time_to_dispatch_p50_s = serializers.FloatField(allow_null=True)
    time_to_dispatch_p90_s = serializers.FloatField(allow_null=True)
    time_to_scene_p50_s = serializers.FloatField(allow_null=True)
    time_to_scene_p90_s = serializers.FloatField(allow_null=True)


class SlaSeverityOutput(SlaGroupOutput):
    severity = serializers.ChoiceField(choices=Severity.choices)


class SlaStreetOutput(SlaGroupOutput):
    street = serializers.CharField()


class SlaReportOutput(serializers.Serializer):
    """Documentation of the SLA report: health & safety alerts opened in [start, end)."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    category = serializers.ChoiceField(choices=AlertCategory.choices)
    overall = SlaGroupOutput()
    by_severity = SlaSeverityOutput(many=True)
    by_street = SlaStreetOutput(many=True)
