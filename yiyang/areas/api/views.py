from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm
from yiyang.accounts.permissions import Perm
from yiyang.areas.access import access_area_by_public_id
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.areas.selectors import area_tree, areas_in_reach
from yiyang.core.api_views import ApiView, PaginatedApi, paginated


class AreaOutput(serializers.ModelSerializer[Area]):
    id = serializers.UUIDField(source="public_id")
    parent = serializers.UUIDField(source="parent.public_id", allow_null=True, default=None)  # type: ignore[assignment]

    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "parent"]


class AreaFilter(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=AreaLevel.choices, required=False)
    parent = serializers.UUIDField(required=False)  # type: ignore[assignment]


class AreaListApi(PaginatedApi):
    @extend_schema(parameters=[AreaFilter], responses=AreaOutput(many=True))
    def get(self, request: Request) -> Response:
        """Areas in the caller's reach, by code."""
        require_perm(request.user, Perm.AREAS_VIEW)
        params = AreaFilter(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = areas_in_reach(user=request.user).select_related("parent").order_by("code")
        if level := params.validated_data.get("level"):
            qs = qs.filter(level=level)
        if parent := params.validated_data.get("parent"):
            qs = qs.filter(parent__public_id=parent)
        return paginated(request, self, qs, AreaOutput)


class AreaDetailApi(ApiView):
    @extend_schema(responses=AreaOutput)
    def get(self, request: Request, public_id: str) -> Response:
        return Response(AreaOutput(access_area_by_public_id(user=request.user, public_id=public_id)).data)


class AreaTreeNodeOutput(serializers.Serializer[Any]):
    """One node of the area tree (built by `_node`); its children are nodes."""

    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=AreaLevel.choices)


# A node's children are nodes: the schema refers to the component from itself.
AreaTreeNodeOutput._declared_fields["children"] = AreaTreeNodeOutput(many=True)


def _node(node: dict[str, Any]) -> dict[str, Any]:
    area: Area = node["area"]
    return {
        "id": str(area.public_id),
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "children": [_node(child) for child in node["children"]],
    }


class AreaTreeApi(ApiView):
    @extend_schema(responses=AreaTreeNodeOutput(many=True))
    def get(self, request: Request) -> Response:
        """The areas in reach as a nested tree."""
        require_perm(request.user, Perm.AREAS_VIEW)
        return Response([_node(root) for root in area_tree(user=request.user)])
