from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiyang.accounts.access import AnyUser, ScopeKind, require_perm, scope_for
from yiyang.accounts.choices import COMMUNITY_ROLES, DISTRICT_ROLES, ORGANISATION_ROLES, STREET_ROLES, Role
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm, default_permissions
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector
from yiyang.organisations.choices import BED_KINDS, MEDICAL_KINDS, OrganisationKind
from yiyang.organisations.models import Organisation

_ROLE_AREA_LEVEL: dict[str, AreaLevel] = {
    **dict.fromkeys(DISTRICT_ROLES, AreaLevel.DISTRICT),
    **dict.fromkeys(STREET_ROLES, AreaLevel.STREET),
    **dict.fromkeys(COMMUNITY_ROLES, AreaLevel.COMMUNITY),
    Role.HELPER: AreaLevel.COMMUNITY,
}
_ROLE_ORG_KINDS: dict[str, frozenset[OrganisationKind]] = {
    Role.INSTITUTION_STAFF: BED_KINDS,
    Role.MEDICAL_STAFF: MEDICAL_KINDS,
    Role.STATION_STAFF: frozenset({OrganisationKind.STATION}),
    Role.CARE_CENTRE_STAFF: frozenset({OrganisationKind.CARE_CENTRE}),
}


def _district_of(area: Area | None, organisation: Organisation | None) -> int | None:
    if organisation is not None:
        return organisation.district_id
    if area is not None:
        return area.district_id or area.pk
    return None


@transaction.atomic
def staff_create(
    *,
    actor: AnyUser,
    username: str,
    password: str,
    full_name: str,
    role: str,
    phone: str = "",
    area: Area | None = None,
    organisation: Organisation | None = None,
) -> User:
    """Create a staff, helper or family account with its role's default permissions.

    Guarantees: the actor holds `accounts.manage`; the account's area is at the level its role
    needs (district, street, community) and its organisation of a kind the role serves; both lie in
    the actor's district; the username is free; the password meets the password policy. All
    problems are reported together and nothing is written. The creation is audited.
    """
    require_perm(actor, Perm.STAFF_MANAGE)
    errors = ErrorCollector()
    if not username.strip():
        errors.add("username", _("用户名不能为空"), "required")
    elif User.objects.filter(username=username.strip()).exists():
        errors.add("username", _("用户名已被使用"), "duplicate")
    if role not in Role.values:
        errors.add("role", _("“%(role)s”不是可选角色") % {"role": role}, "invalid_choice")
    else:
        level = _ROLE_AREA_LEVEL.get(role)
        if level is not None and (area is None or area.level != level):
            errors.add(
                "area", _("该角色须指定%(level)s一级的辖区") % {"level": AreaLevel(level).label}, "invalid_level"
            )
        kinds = _ROLE_ORG_KINDS.get(role)
        if role in ORGANISATION_ROLES and organisation is None:
            errors.add("organisation", _("该角色须指定所属机构"), "required")
        if organisation is not None and kinds is not None and organisation.kind not in kinds:
            errors.add("organisation", _("所属机构类型与角色不符"), "invalid_kind")
    scope = scope_for(actor)
    target_district = _district_of(area, organisation)
    if scope.kind is not ScopeKind.ALL and target_district is not None and target_district != scope.district_id:
        errors.add("area" if organisation is None else "organisation", _("辖区不存在或不在您的辖区内"), "not_found")
    try:
        validate_password(password)
    except DjangoValidationError as exc:
        errors.add("password", pgettext("separator between sentences", "；").join(exc.messages), "weak_password")
    errors.raise_if_any(_("账号信息有误"))
    account = User.objects.create_user(
        username=username.strip(),
        password=password,
        full_name=full_name.strip(),
        phone=phone.strip(),
        role=role,
        area=area,
        organisation=organisation,
        permissions=default_permissions(role),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="user",
        entity_id=str(account.public_id),
        summary=lambda: f"创建账号（{Role(role).label}）",
        fields=["username", "role", "area", "organisation", "permissions"],
        district=target_district,
    )
    return account
