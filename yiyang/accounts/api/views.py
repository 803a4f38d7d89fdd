from typing import Any
from uuid import UUID

from django.contrib.auth import authenticate, user_logged_in
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.accounts.access import (
    PermSource,
    access_staff_by_public_id,
    effective_perms,
    permission_marks,
    require_perm,
    scope_for,
    user_perms,
)
from yiyang.accounts.errors import SignInThrottled
from yiyang.accounts.models import QUALIFICATION_NUMBER_MAX_LENGTH, User
from yiyang.accounts.permissions import Perm
from yiyang.accounts.selectors import person_label, staff_in_reach
from yiyang.accounts.services import (
    staff_create,
    staff_permissions_change,
    staff_profile_change,
    staff_role_change,
)
from yiyang.accounts.signin import (
    account_lock_of,
    account_unlock,
    client_ip,
    locked_accounts_in_reach,
    login_success_record,
    password_expired,
    refusal_message,
    second_factor_check,
    second_factor_enrolled,
    second_factor_required,
    second_factor_reset,
)
from yiyang.areas.models import Area
from yiyang.audit.lists import audit_record_shown, shown_by
from yiyang.core.api import created
from yiyang.core.api_views import ApiView, PaginatedApi, paginated
from yiyang.core.errors import ErrorCollector, FieldError, ValidationFailed
from yiyang.core.idempotency import idempotent
from yiyang.core.masking import mask_phone
from yiyang.organisations.models import Organisation


class UserOutput(serializers.ModelSerializer[User]):
    id = serializers.UUIDField(source="public_id")
    area = serializers.CharField(source="area.name", default=None, allow_null=True)
    organisation = serializers.CharField(source="organisation.name", default=None, allow_null=True)
    phone_masked = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField(  # type: ignore[assignment]  # a field named like a Field attribute
        help_text="How pages name the person: full name, qualification number, organisation (else area)"
    )
    permissions = serializers.SerializerMethodField(
        help_text="What the account may do: role defaults + granted − withdrawn"
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "qualification_number",
            "label",
            "role",
            "area",
            "organisation",
            "phone_masked",
            "permissions",
            "permissions_granted",
            "permissions_withdrawn",
            "is_active",
        ]

    def get_phone_masked(self, obj: User) -> str:
        return mask_phone(obj.phone)

    def get_label(self, obj: User) -> str:
        return person_label(obj)

    def get_permissions(self, obj: User) -> list[str]:
        return sorted(
            effective_perms(
                role=obj.role, granted=obj.permissions_granted or (), withdrawn=obj.permissions_withdrawn or ()
            )
        )


PERMISSION_MARK_SCHEMA = inline_serializer(
    name="PermissionMark",
    fields={
        "code": serializers.CharField(),
        "label": serializers.CharField(),
        "held": serializers.BooleanField(),
        "source": serializers.ChoiceField(
            choices=[s.value for s in PermSource],
            help_text="role: a default of the role; granted: beyond the role; withdrawn: a role default taken "
            "away; none: not a default of the role",
        ),
    },
    many=True,
)


class UserDetailOutput(UserOutput):
    permission_marks = serializers.SerializerMethodField()

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "permission_marks"]

    @extend_schema_field(PERMISSION_MARK_SCHEMA)
    def get_permission_marks(self, obj: User) -> list[dict[str, Any]]:
        return [
            {"code": mark.perm.value, "label": str(mark.perm.label), "held": mark.held, "source": mark.source.value}
            for mark in permission_marks(obj)
        ]


class MeOutput(serializers.Serializer[Any]):
    """Documentation of the signed-in account's summary (built in `MeApi.get`)."""

    id = serializers.UUIDField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    scope = serializers.CharField()
    area = serializers.CharField(allow_null=True)
    organisation = serializers.CharField(allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField())


class MeApi(ApiView):
    @extend_schema(responses=MeOutput)
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


class TokenInput(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text="The 6-digit TOTP code; required for accounts holding accounts.manage or placed at a district",
    )


class TokenOutput(serializers.Serializer[Any]):
    token = serializers.CharField()


class TokenApi(APIView):
    """Exchange username and password (and the TOTP code where the account needs one) for an API
    token; send it as `Authorization: Token <key>`. Failures count towards the lockout like the
    login page; a locked username or throttled address answers 429 whatever the password."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    # 400 and 429 are documented with the shared error body by the schema hook (yiyang.core.schema).
    @extend_schema(request=TokenInput, responses={200: TokenOutput})
    def post(self, request: Request) -> Response:
        payload = TokenInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        http_request = request._request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        refused = getattr(http_request, "yiyang_login_refused", None)
        if refused is not None:
            message = refusal_message(refused)
            raise SignInThrottled(message, errors=[FieldError("__all__", message, "locked")])
        if user is None:
            raise ValidationFailed.single("__all__", _("用户名或密码错误"), "invalid_login")
        assert isinstance(user, User)
        ip_address = client_ip(http_request)
        if second_factor_required(user):
            if not second_factor_enrolled(user):
                raise ValidationFailed.single("otp", _("该账号须先在网页登录并绑定动态口令"), "enrolment_required")
            if not data.get("otp"):
                raise ValidationFailed.single("otp", _("请输入动态口令"), "required")
            second_factor_check(user=user, code=data["otp"], ip_address=ip_address)
        if password_expired(user):
            raise ValidationFailed.single("password", _("密码已过期，请先在网页修改密码"), "password_expired")
        login_success_record(username=user.username)
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class StaffInput(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)
    full_name = serializers.CharField(max_length=100)
    qualification_number = serializers.CharField(
        required=False, allow_blank=True, max_length=QUALIFICATION_NUMBER_MAX_LENGTH, help_text="资格证书编号"
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    role = serializers.CharField(max_length=32)
    area = serializers.UUIDField(required=False, allow_null=True)
    organisation = serializers.UUIDField(required=False, allow_null=True)


def _resolve_place(area_id: UUID | None, organisation_id: UUID | None) -> tuple[Area | None, Organisation | None]:
    """The area and organisation named by public id (None for none); an id naming nothing is a 400
    on its field. Whether they fit the role and the officer's district is the service's to say."""
    errors = ErrorCollector()
    area = organisation = None
    if area_id:
        area = Area.objects.filter(public_id=area_id).first()
        if area is None:
            errors.add("area", _("辖区不存在或不在您的辖区内"), "not_found")
    if organisation_id:
        organisation = Organisation.objects.filter(public_id=organisation_id).first()
        if organisation is None:
            errors.add("organisation", _("机构不存在或不在您的辖区内"), "not_found")
    errors.raise_if_any(_("账号信息有误"))
    return area, organisation


class StaffListCreateApi(PaginatedApi):
    @extend_schema(responses=UserOutput(many=True))
    def get(self, request: Request) -> Response:
        """Accounts placed in the officer's district."""
        require_perm(request.user, Perm.STAFF_MANAGE)
        qs = staff_in_reach(user=request.user).select_related("area", "organisation").order_by("username")
        return paginated(request, self, qs, UserOutput, shown=shown_by(request.user, "account"))

    @extend_schema(request=StaffInput, responses={201: UserOutput})
    @idempotent
    def post(self, request: Request) -> Response:
        require_perm(request.user, Perm.STAFF_MANAGE)
        payload = StaffInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        area, organisation = _resolve_place(data.get("area"), data.get("organisation"))
        account = staff_create(
            actor=request.user,
            username=data["username"],
            password=data["password"],
            full_name=data["full_name"],
            phone=data.get("phone", ""),
            qualification_number=data.get("qualification_number", ""),
            role=data["role"],
            area=area,
            organisation=organisation,
        )
        return created(UserOutput(account).data)


class StaffRoleInput(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    qualification_number = serializers.CharField(
        max_length=QUALIFICATION_NUMBER_MAX_LENGTH, required=False, allow_blank=True, help_text="资格证书编号"
    )
    role = serializers.CharField(max_length=32, required=False)
    area = serializers.UUIDField(required=False, allow_null=True)
    organisation = serializers.UUIDField(required=False, allow_null=True)


class StaffDetailApi(ApiView):
    @extend_schema(responses=UserDetailOutput)
    def get(self, request: Request, public_id: str) -> Response:
        """One account placed in the officer's district, with each permission marked: from its role,
        granted beyond it, or withdrawn."""
        account = access_staff_by_public_id(user=request.user, public_id=public_id)
        audit_record_shown(actor=request.user, entity_type="account", record=account)
        return Response(UserDetailOutput(account).data)

    @extend_schema(request=StaffRoleInput, responses=UserDetailOutput)
    def patch(self, request: Request, public_id: str) -> Response:
        """Change the account's full name, qualification number, role, area or organisation (fields
        left out keep their value). Its own grants and withdrawals carry over to a new role where they
        still make a difference."""
        account = access_staff_by_public_id(user=request.user, public_id=public_id)
        payload = StaffRoleInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        with transaction.atomic():
            if "full_name" in data or "qualification_number" in data:
                account = staff_profile_change(
                    actor=request.user,
                    account=account,
                    full_name=data.get("full_name"),
                    qualification_number=data.get("qualification_number"),
                )
            if data.keys() & {"role", "area", "organisation"}:
                area, organisation = _resolve_place(data.get("area"), data.get("organisation"))
                account = staff_role_change(
                    actor=request.user,
                    account=account,
                    role=data.get("role", account.role),
                    area=area if "area" in data else account.area,
                    organisation=organisation if "organisation" in data else account.organisation,
                )
        return Response(UserDetailOutput(account).data)


class StaffPermissionsInput(serializers.Serializer[Any]):
    grant = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)
    withdraw = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)


class StaffPermissionsApi(ApiView):
    @extend_schema(request=StaffPermissionsInput, responses=UserDetailOutput)
    def patch(self, request: Request, public_id: str) -> Response:
        """Grant and withdraw single permissions (`Perm` codes); the others stay as they are. You can
        grant only permissions you hold yourself."""
        account = access_staff_by_public_id(user=request.user, public_id=public_id)
        payload = StaffPermissionsInput(data=request.data)
        payload.is_valid(raise_exception=True)
        account = staff_permissions_change(
            actor=request.user,
            account=account,
            grant=payload.validated_data["grant"],
            withdraw=payload.validated_data["withdraw"],
        )
        return Response(UserDetailOutput(account).data)


class LockedAccountOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="account.public_id")
    username = serializers.CharField(source="account.username")
    full_name = serializers.CharField(source="account.full_name")
    role = serializers.CharField(source="account.role")
    locked_at = serializers.DateTimeField()
    until = serializers.DateTimeField(allow_null=True, help_text="null: until an officer unlocks it")


class LockedAccountListApi(PaginatedApi):
    @extend_schema(responses=LockedAccountOutput(many=True))
    def get(self, request: Request) -> Response:
        """Accounts placed in the officer's district that are locked now after too many failed sign-ins."""
        rows = locked_accounts_in_reach(user=request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(LockedAccountOutput(page, many=True).data)


class SecurityStateOutput(serializers.Serializer[Any]):
    locked = serializers.BooleanField()
    locked_until = serializers.DateTimeField(allow_null=True)
    second_factor_enrolled = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="Whether this call lifted a lock or removed an enrolment")


def _security_state(account: User, changed: bool) -> dict[str, Any]:
    lock = account_lock_of(account)
    return {
        "locked": lock is not None,
        "locked_until": lock.until if lock else None,
        "second_factor_enrolled": second_factor_enrolled(account),
        "changed": changed,
    }


class StaffUnlockApi(ApiView):
    @extend_schema(request=None, responses=SecurityStateOutput)
    def post(self, request: Request, public_id: str) -> Response:
        """Lift the account's sign-in lock and forget its failed attempts (audited)."""
        account = access_staff_by_public_id(user=request.user, public_id=public_id)
        changed = account_unlock(actor=request.user, account=account)
        return Response(SecurityStateOutput(_security_state(account, changed)).data)


class StaffSecondFactorResetApi(ApiView):
    @extend_schema(request=None, responses=SecurityStateOutput)
    def post(self, request: Request, public_id: str) -> Response:
        """Remove the account's TOTP enrolment (a lost phone): it enrols again at its next sign-in (audited)."""
        account = access_staff_by_public_id(user=request.user, public_id=public_id)
        changed = second_factor_reset(actor=request.user, account=account)
        return Response(SecurityStateOutput(_security_state(account, changed)).data)
