from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.access import require_perm, scope_for, user_perms
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.accounts.selectors import staff_in_reach
from yiyang.accounts.services import staff_create
from yiyang.areas.models import Area
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, paginated
from yiyang.core.errors import ErrorCollector
from yiyang.core.idempotency import idempotent
from yiyang.core.masking import mask_phone
from yiyang.organisations.models import Organisation


class UserOutput(serializers.ModelSerializer[User]):
    id = serializers.UUIDField(source="public_id")
    area = serializers.CharField(source="area.name", default=None)
    organisation = serializers.CharField(source="organisation.name", default=None)
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "role",
            "area",
            "organisation",
            "phone_masked",
            "permissions",
            "is_active",
        ]

    def get_phone_masked(self, obj: User) -> str:
        return mask_phone(obj.phone)


class MeApi(ApiView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        """The signed-in account: role, scope and permissions."""
        user = request.user
        assert isinstance(user, User)
        scope = scope_for(user)
        return Response(
            {
                "id": str(user.public_id),
                "username": user.username,
                "full_name": user.full_name,
                "role": user.role,
                "scope": scope.kind.value,
                "area": user.area.name if user.area else None,
                "organisation": user.organisation.name if user.organisation else None,
                "permissions": sorted(user_perms(user)),
            }
        )


class TokenApi(ObtainAuthToken):
    """Exchange username and password for an API token (send it as `Authorization: Token <key>`)."""

    permission_classes = [AllowAny]


class StaffInput(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True)
    full_name = serializers.CharField(max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    role = serializers.CharField()
    area = serializers.UUIDField(required=False, allow_null=True)
    organisation = serializers.UUIDField(required=False, allow_null=True)


class StaffListCreateApi(ApiView):
    @extend_schema(responses=UserOutput(many=True))
    def get(self, request: Request) -> Response:
        """Accounts placed in the officer's district."""
        require_perm(request.user, Perm.STAFF_MANAGE)
        qs = staff_in_reach(user=request.user).select_related("area", "organisation").order_by("username")
        return paginated(request, self, qs, UserOutput)

    @extend_schema(request=StaffInput, responses={201: UserOutput})
    @idempotent
    def post(self, request: Request) -> Response:
        require_perm(request.user, Perm.STAFF_MANAGE)
        payload = StaffInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        errors = ErrorCollector()
        area = organisation = None
        if data.get("area"):
            area = Area.objects.filter(public_id=data["area"]).first()
            if area is None:
                errors.add("area", "辖区不存在或不在您的辖区内", "not_found")
        if data.get("organisation"):
            organisation = Organisation.objects.filter(public_id=data["organisation"]).first()
            if organisation is None:
                errors.add("organisation", "机构不存在或不在您的辖区内", "not_found")
        errors.raise_if_any("账号信息有误")
        account = staff_create(
            actor=request.user,
            username=data["username"],
            password=data["password"],
            full_name=data["full_name"],
            phone=data.get("phone", ""),
            role=data["role"],
            area=area,
            organisation=organisation,
        )
        return created(UserOutput(account).data)
