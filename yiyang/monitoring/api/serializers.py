"""Input serializers check only the envelope (which fields, JSON); the services check the documents
and name every problem by its path. Outputs are built by `district_rules_output` and
`elder_profile_output` so the page, the API and the tests see the same shape."""

from typing import Any

from rest_framework import serializers

from yiyang.areas.models import Area
from yiyang.core.api import TEXT_MAX_CHARS
from yiyang.elders.models import Elder
from yiyang.monitoring.models import DistrictRuleOverride, DistrictRuleVersion, ElderMonitoringProfile
from yiyang.monitoring.selectors import RuleRow, RulesTable


class DistrictRulesInput(serializers.Serializer):
    document = serializers.JSONField(
        help_text="A partial rules document (see docs/monitoring-engine.md); {} restores the defaults."
    )
    note = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True, default="")


class ElderProfileInput(serializers.Serializer):
    flags = serializers.JSONField(help_text='Elder flags, e.g. ["copd", "dementia"]; [] for none.')
    override = serializers.JSONField(allow_null=True, help_text="Elder-level partial rules document; {} for none.")
    conditions = serializers.CharField(
        max_length=TEXT_MAX_CHARS,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text="Conditions for the 120 hand-off sheet, e.g. 高血压；2型糖尿病 (at most 500 characters).",
    )
    medication = serializers.CharField(
        max_length=TEXT_MAX_CHARS,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text="Long-term medication for the 120 hand-off sheet (at most 500 characters).",
    )
    note = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True, default="")


class RuleValueOutput(serializers.Serializer):
    name = serializers.CharField()
    default = serializers.JSONField()
    overridden = serializers.BooleanField()
    override = serializers.JSONField()
    effective = serializers.JSONField()


class RuleRowOutput(serializers.Serializer):
    id = serializers.CharField()
    alert_type = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    basis = serializers.CharField()
    verified = serializers.BooleanField()
    overridden = serializers.BooleanField()
    values = RuleValueOutput(many=True)


class VersionOutput(serializers.Serializer):
    version = serializers.IntegerField()
    document = serializers.JSONField()
    note = serializers.CharField()
    changed_by = serializers.CharField(source="changed_by.username")
    changed_at = serializers.DateTimeField(source="created_at")


class DistrictRulesOutput(serializers.Serializer):
    district = serializers.JSONField()
    version = serializers.IntegerField(allow_null=True)
    document = serializers.JSONField()
    note = serializers.CharField()
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    problem = serializers.CharField()
    blocks = RuleRowOutput(many=True)
    rules = RuleRowOutput(many=True)


class ElderProfileOutput(serializers.Serializer):
    elder = serializers.JSONField()
    flags = serializers.ListField(child=serializers.CharField())
    override = serializers.JSONField()
    conditions = serializers.CharField()
    medication = serializers.CharField()
    note = serializers.CharField()
    revision = serializers.IntegerField()
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    problem = serializers.CharField()
    overridden = RuleRowOutput(many=True, help_text="Rules and blocks the elder's override changes.")


def _rows(rows: list[RuleRow]) -> list[dict[str, Any]]:
    return [dict(RuleRowOutput(row).data) for row in rows]


def district_rules_output(*, district: Area, current: DistrictRuleOverride | None, table: RulesTable) -> dict[str, Any]:
    """Every rule with default, source, basis, verified mark, the district's override and the
    effective value; the current version's who/when/note."""
    return {
        "district": {"id": str(district.public_id), "code": district.code, "name": district.name},
        "version": current.version if current else None,
        "document": current.document if current else {},
        "note": current.note if current else "",
        "updated_by": current.updated_by.username if current else None,
        "updated_at": current.updated_at.isoformat() if current else None,
        "problem": table.problem,
        "blocks": _rows(table.blocks),
        "rules": _rows(table.rules),
    }


def version_output(version: DistrictRuleVersion) -> dict[str, Any]:
    return dict(VersionOutput(version).data)


def elder_profile_output(*, elder: Elder, profile: ElderMonitoringProfile | None, table: RulesTable) -> dict[str, Any]:
    return {
        "elder": {"id": str(elder.public_id), "name": elder.name},
        "flags": list(profile.flags) if profile else [],
        "override": profile.override if profile else {},
        "conditions": profile.conditions if profile else "",
        "medication": profile.medication if profile else "",
        "note": profile.note if profile else "",
        "revision": profile.revision if profile else 0,
        "updated_by": profile.updated_by.username if profile else None,
        "updated_at": profile.updated_at.isoformat() if profile else None,
        "problem": table.problem,
        "overridden": _rows(table.overridden),
    }
