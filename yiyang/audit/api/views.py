from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.permissions import Perm
from yiyang.audit.models import AuditAction, AuditEvent
from yiyang.audit.selectors import AuditFilters, audit_event_list
from yiyang.core.api import LimitedDateField
from yiyang.core.api_views import PaginatedApi, paginated


class AuditEventOutput(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "sequence",
            "at",
            "actor",
            "action",
            "entity_type",
            "entity_id",
            "summary",
            "fields",
            "record_ids",
            "ip_address",
            "user_agent",
            "path",
            "method",
            "status_code",
            "prev_hash",
            "hash",
        ]


class AuditFilterInput(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    entity_type = serializers.CharField(max_length=64, required=False)
    entity_id = serializers.CharField(max_length=64, required=False)
    actor = serializers.CharField(max_length=150, required=False, help_text="操作人用户名")
    since = LimitedDateField(required=False)
    until = LimitedDateField(required=False)


def parse_audit_filters(data: Any) -> AuditFilters:
    params = AuditFilterInput(data=data)
    params.is_valid(raise_exception=True)
    return AuditFilters(**params.validated_data)


class AuditEventListApi(PaginatedApi):
    @extend_schema(parameters=[AuditFilterInput], responses=AuditEventOutput(many=True))
    def get(self, request: Request) -> Response:
        """Who viewed, created, changed, imported or exported which record, when and from where."""
        require_perm(request.user, Perm.AUDIT_VIEW)
        qs = audit_event_list(user=request.user, filters=parse_audit_filters(request.query_params))
        return paginated(request, self, qs, AuditEventOutput)
