"""Creating staff, helper and family accounts and changing their role and permissions. Each service
checks `accounts.manage` and that the account is placed in the actor's district, reports every
problem at once, writes in one transaction and audits what changed."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiyang.accounts.access import (
    KNOWN_PERMS,
    AnyUser,
    PermissionDeviations,
    ScopeKind,
    deviations_for,
    deviations_tidy,
    effective_perms,
    require_perm,
    scope_for,
    user_perms,
)
from yiyang.accounts.choices import COMMUNITY_ROLES, DISTRICT_ROLES, ORGANISATION_ROLES, STREET_ROLES, Role
from yiyang.accounts.errors import StaffNotFound
from yiyang.accounts.models import QUALIFICATION_NUMBER_MAX_LENGTH, User
from yiyang.accounts.permissions import Perm
from yiyang.accounts.selectors import staff_in_reach
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector
from yiyang.core.text import check_name, normalise_name
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


def _check_placement(
    errors: ErrorCollector, *, actor: AnyUser, role: str, area: Area | None, organisation: Organisation | None
) -> int | None:
    """Add an error for each way `role`, `area` and `organisation` do not fit together or lie outside
    the actor's district; return the district the account would be placed in."""
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
    return target_district


def _account_district(account: User) -> int | None:
    """The district an account is placed in: by its organisation or area, a family member by their elder."""
    district = _district_of(account.area, account.organisation)
    if district is None:
        district = account.family_links.values_list("elder__district_id", flat=True).order_by("pk").first()
    return district


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role or "—"


def _require_in_reach(actor: AnyUser, account: User) -> None:
    if not staff_in_reach(user=actor).filter(pk=account.pk).exists():
        raise StaffNotFound


def _describe_change(before: frozenset[str], after: frozenset[str]) -> str:
    """`授予 a、b；收回 c` for the permissions gained and lost (names, never personal data)."""
    parts = []
    if gained := sorted(after - before):
        parts.append("授予 " + "、".join(gained))
    if lost := sorted(before - after):
        parts.append("收回 " + "、".join(lost))
    return "；".join(parts) or "实际权限不变"


def _effective(account: User) -> frozenset[str]:
    """The account's permissions from its role and deviations (whether or not it is active)."""
    return effective_perms(
        role=account.role, granted=account.permissions_granted or (), withdrawn=account.permissions_withdrawn or ()
    )


def _store(account: User, deviations: PermissionDeviations) -> list[str]:
    """Set the account's deviations; return the names of the fields that changed."""
    changed = []
    if list(account.permissions_granted or []) != deviations.granted:
        account.permissions_granted = deviations.granted
        changed.append("permissions_granted")
    if list(account.permissions_withdrawn or []) != deviations.withdrawn:
        account.permissions_withdrawn = deviations.withdrawn
        changed.append("permissions_withdrawn")
    return changed


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
    qualification_number: str = "",
) -> User:
    """Create a staff, helper or family account holding its role's permissions (no deviations).

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
    if full_name.strip():
        check_name(errors, "full_name", full_name, max_length=100, label=_("姓名"))
    qualification_number = normalise_name(qualification_number)
    if problem := _qualification_problem(qualification_number):
        errors.add("qualification_number", *problem)
    target_district = _check_placement(errors, actor=actor, role=role, area=area, organisation=organisation)
    try:
        validate_password(password, User(username=username.strip()))
    except DjangoValidationError as exc:
        errors.add("password", pgettext("separator between sentences", "；").join(exc.messages), "weak_password")
    errors.raise_if_any(_("账号信息有误"))
    account = User.objects.create_user(
        username=username.strip(),
        password=password,
        full_name=normalise_name(full_name),
        qualification_number=qualification_number,
        phone=phone.strip(),
        role=role,
        area=area,
        organisation=organisation,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="user",
        entity_id=str(account.public_id),
        summary=lambda: f"创建账号（{Role(role).label}）",
        fields=["username", "role", "area", "organisation"],
        district=target_district,
    )
    return account


@transaction.atomic
def staff_permissions_change(
    *, actor: AnyUser, account: User, grant: Iterable[str] = (), withdraw: Iterable[str] = ()
) -> User:
    """Grant and withdraw single permissions of one account, leaving the rest as they are.

    Guarantees: the actor holds `accounts.manage` and the account is placed in their district
    (else StaffNotFound); every name is a permission (`Perm` value); no name is both granted and
    withdrawn; the actor holds each permission they grant, so nobody hands out more than they
    have. The account stores the result as deviations from its role (a grant of a role default or a
    withdrawal of a permission the role lacks is stored as nothing), so later additions to the
    role's defaults still reach it. All problems are reported at once and nothing is written; a
    change that changes nothing writes nothing; the permissions gained and lost are audited.
    """
    require_perm(actor, Perm.STAFF_MANAGE)
    _require_in_reach(actor, account)
    grant, withdraw = list(dict.fromkeys(grant)), list(dict.fromkeys(withdraw))
    errors = ErrorCollector()
    held_by_actor = user_perms(actor)
    for name in grant:
        if name not in KNOWN_PERMS:
            errors.add("grant", _("“%(name)s”不是可选权限") % {"name": name}, "invalid_choice")
        elif name in withdraw:
            errors.add("grant", _("“%(name)s”不能同时授予和收回") % {"name": name}, "conflict")
        elif name not in held_by_actor:
            errors.add("grant", _("您本人没有“%(label)s”权限，不能授予他人") % {"label": Perm(name).label}, "not_held")
    for name in withdraw:
        if name not in KNOWN_PERMS:
            errors.add("withdraw", _("“%(name)s”不是可选权限") % {"name": name}, "invalid_choice")
    errors.raise_if_any(_("权限设置有误"))
    before = _effective(account)
    changed = _store(account, deviations_for(role=account.role, wanted=(before | set(grant)) - set(withdraw)))
    if not changed:
        return account
    account.save(update_fields=changed)
    after = _effective(account)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="user",
        entity_id=str(account.public_id),
        summary=f"修改账号权限：{_describe_change(before, after)}",
        fields=changed,
        district=_account_district(account),
    )
    return account


@transaction.atomic
def staff_role_change(
    *, actor: AnyUser, account: User, role: str, area: Area | None, organisation: Organisation | None
) -> User:
    """Move an account to another role and/or place.

    Guarantees: the actor holds `accounts.manage` and the account is placed in their district
    (else StaffNotFound); the new role, area and organisation fit together and lie in the actor's
    district, as for `staff_create`. The account's own grants and withdrawals carry over to the
    new role where they still make a difference; those that became no-ops (a grant of one of the
    new role's defaults, a withdrawal of a permission it lacks) are dropped. All problems are
    reported at once and nothing is written; a no-op writes nothing; the changed field names and
    the permissions gained and lost are audited.
    """
    require_perm(actor, Perm.STAFF_MANAGE)
    _require_in_reach(actor, account)
    errors = ErrorCollector()
    _check_placement(errors, actor=actor, role=role, area=area, organisation=organisation)
    errors.raise_if_any(_("账号信息有误"))
    before = _effective(account)
    old_role = account.role
    changed = [
        name
        for name, value in (("role", role), ("area", area), ("organisation", organisation))
        if getattr(account, name) != value
    ]
    account.role, account.area, account.organisation = role, area, organisation
    changed += _store(
        account,
        deviations_tidy(
            role=role, granted=account.permissions_granted or (), withdrawn=account.permissions_withdrawn or ()
        ),
    )
    if not changed:
        return account
    account.save(update_fields=changed)
    if hasattr(account, "_yiyang_scope"):
        del account._yiyang_scope
    after = _effective(account)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="user",
        entity_id=str(account.public_id),
        summary=lambda: (
            f"修改账号角色（{_role_label(old_role)} → {_role_label(role)}）；{_describe_change(before, after)}"
        ),
        fields=changed,
        district=_account_district(account),
    )
    return account


def _qualification_problem(value: str) -> tuple[str, str] | None:
    if len(value) > QUALIFICATION_NUMBER_MAX_LENGTH:
        return (
            _("资格证书编号不能超过%(n)s个字符") % {"n": QUALIFICATION_NUMBER_MAX_LENGTH},
            "max_length",
        )
    if not value.isprintable():
        return _("资格证书编号含有不可见字符"), "invalid"
    return None


@transaction.atomic
def staff_profile_change(
    *, actor: AnyUser, account: User, full_name: str | None = None, qualification_number: str | None = None
) -> User:
    """Change how an account's person is named: full name and qualification number (None: keep).

    Guarantees: the actor holds `accounts.manage` and the account is placed in their district
    (else StaffNotFound); a full name, when not blank, is a printable name of at most 100
    characters; a qualification number is printable and at most `QUALIFICATION_NUMBER_MAX_LENGTH`
    characters (blank clears it). Both are stored normalised (NFC, single spaces). All problems
    are reported at once and nothing is written; a no-op writes nothing; the changed field names
    are audited (not the values). Records already signed keep the name they were signed with.
    """
    require_perm(actor, Perm.STAFF_MANAGE)
    _require_in_reach(actor, account)
    errors = ErrorCollector()
    wanted: dict[str, str] = {}
    if full_name is not None:
        if full_name.strip():
            check_name(errors, "full_name", full_name, max_length=100, label=_("姓名"))
        wanted["full_name"] = normalise_name(full_name)
    if qualification_number is not None:
        number = normalise_name(qualification_number)
        if problem := _qualification_problem(number):
            errors.add("qualification_number", *problem)
        wanted["qualification_number"] = number
    errors.raise_if_any(_("账号信息有误"))
    changed = [name for name, value in wanted.items() if getattr(account, name) != value]
    if not changed:
        return account
    for name in changed:
        setattr(account, name, wanted[name])
    account.save(update_fields=changed)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="user",
        entity_id=str(account.public_id),
        summary="修改账号的人员信息",
        fields=changed,
        district=_account_district(account),
    )
    return account
