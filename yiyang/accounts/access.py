"""Who may act, and where: the single place that turns an account into a scope and a permission set.

Every domain `access.py` asks `scope_for(user)` which rows are within reach and `require_perm` /
`has_perm` whether an action is allowed. Outside the reach, records answer "not found".

An account stores only its deviations from its role: `permissions_granted` and
`permissions_withdrawn`. `effective_perms` turns role and deviations into the permission set, so a
permission a release adds to a role's defaults reaches every account of that role that has not had
it withdrawn.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _

from yiyang.accounts.choices import (
    COMMUNITY_ROLES,
    DISTRICT_ROLES,
    ORGANISATION_ROLES,
    PERSONAL_ROLES,
    STREET_ROLES,
    Role,
)
from yiyang.accounts.errors import StaffNotFound
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm, default_permissions
from yiyang.areas.choices import AreaLevel
from yiyang.core.errors import Forbidden

if TYPE_CHECKING:
    from yiyang.areas.models import Area

AnyUser = User | AnonymousUser


class ScopeKind(StrEnum):
    ALL = "all"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    ORGANISATION = "organisation"
    HELPER = "helper"
    FAMILY = "family"
    NONE = "none"


AREA_KINDS = frozenset({ScopeKind.DISTRICT, ScopeKind.STREET, ScopeKind.COMMUNITY})
_ROLE_AREA_LEVEL: dict[str, tuple[ScopeKind, AreaLevel]] = {
    **dict.fromkeys(DISTRICT_ROLES, (ScopeKind.DISTRICT, AreaLevel.DISTRICT)),
    **dict.fromkeys(STREET_ROLES, (ScopeKind.STREET, AreaLevel.STREET)),
    **dict.fromkeys(COMMUNITY_ROLES, (ScopeKind.COMMUNITY, AreaLevel.COMMUNITY)),
}


@dataclass(frozen=True)
class Scope:
    """Where an account may act. `area_*` are set for area scopes; `organisation_*` for org scopes."""

    kind: ScopeKind
    area_id: int | None = None
    district_id: int | None = None
    street_id: int | None = None
    organisation_id: int | None = None
    organisation_kind: str | None = None
    user_id: int | None = None

    def area_q(self, *, district: str = "district", street: str = "street", community: str = "community") -> Q:
        """Filter for rows placed by area columns; matches nothing for scopes that are not areas."""
        if self.kind is ScopeKind.ALL:
            return Q()
        if self.kind is ScopeKind.DISTRICT:
            return Q(**{f"{district}_id": self.area_id})
        if self.kind is ScopeKind.STREET:
            return Q(**{f"{street}_id": self.area_id})
        if self.kind is ScopeKind.COMMUNITY:
            return Q(**{f"{community}_id": self.area_id})
        return Q(pk__in=[])

    @property
    def is_area(self) -> bool:
        return self.kind in AREA_KINDS


NO_SCOPE = Scope(ScopeKind.NONE)


def scope_for(user: AnyUser) -> Scope:
    """The account's scope, derived from its role and its area or organisation; cached per instance.

    A misconfigured account (a street role pointing at a community, an institution role without an
    institution) gets no scope at all rather than a guessed one.
    """
    if not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    assert isinstance(user, User)
    cached: Scope | None = getattr(user, "_yiyang_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._yiyang_scope = scope  # type: ignore[attr-defined]
    return scope


def _compute_scope(user: User) -> Scope:
    if user.is_superuser:
        return Scope(ScopeKind.ALL, user_id=user.pk)
    role = user.role
    if role in _ROLE_AREA_LEVEL:
        kind, level = _ROLE_AREA_LEVEL[role]
        area = user.area
        if area is None or area.level != level:
            return NO_SCOPE
        return Scope(
            kind,
            area_id=area.pk,
            district_id=area.district_id or area.pk,
            street_id=area.street_id
            if level == AreaLevel.COMMUNITY
            else (area.pk if level == AreaLevel.STREET else None),
            user_id=user.pk,
        )
    if role in ORGANISATION_ROLES:
        org = user.organisation
        if org is None:
            return NO_SCOPE
        return Scope(
            ScopeKind.ORGANISATION,
            organisation_id=org.pk,
            organisation_kind=org.kind,
            district_id=org.district_id,
            street_id=org.street_id,
            area_id=org.area_id,
            user_id=user.pk,
        )
    if role == Role.HELPER:
        return Scope(ScopeKind.HELPER, user_id=user.pk, district_id=user.area.district_id if user.area else None)
    if role == Role.FAMILY:
        return Scope(ScopeKind.FAMILY, user_id=user.pk)
    return NO_SCOPE


KNOWN_PERMS = frozenset(str(p) for p in Perm)


def effective_perms(*, role: str, granted: Iterable[str] = (), withdrawn: Iterable[str] = ()) -> frozenset[str]:
    """What an account with `role` and these deviations may do: (role defaults ∪ granted) − withdrawn.

    The one place the effective set is computed. A granted name this release does not know (a
    permission removed since) is ignored, never granted; an unknown role has no defaults.
    """
    defaults = frozenset(default_permissions(role))
    return frozenset((defaults | (frozenset(granted) & KNOWN_PERMS)) - frozenset(withdrawn))


@dataclass(frozen=True)
class PermissionDeviations:
    """An account's stored deviations from its role, sorted and free of no-ops."""

    granted: list[str]
    withdrawn: list[str]


def deviations_for(*, role: str, wanted: Iterable[str]) -> PermissionDeviations:
    """The deviations that make an account with `role` hold exactly `wanted` (unknown names dropped):
    granted = wanted − role defaults, withdrawn = role defaults − wanted."""
    defaults = frozenset(default_permissions(role))
    known = frozenset(wanted) & KNOWN_PERMS
    return PermissionDeviations(granted=sorted(known - defaults), withdrawn=sorted(defaults - known))


def deviations_tidy(*, role: str, granted: Iterable[str], withdrawn: Iterable[str]) -> PermissionDeviations:
    """Keep the deviations that still mean something for `role`, drop the no-ops: a grant of one of
    its defaults or of an unknown name, a withdrawal of a permission it does not have by default.

    Used when an account changes role: its personal grants and withdrawals carry over to the new
    role's defaults where they still make a difference.
    """
    defaults = frozenset(default_permissions(role))
    return PermissionDeviations(
        granted=sorted((frozenset(granted) & KNOWN_PERMS) - defaults),
        withdrawn=sorted(frozenset(withdrawn) & defaults),
    )


class PermSource(StrEnum):
    """Why an account holds a permission, or why not."""

    ROLE = "role"  # held: one of its role's defaults
    GRANTED = "granted"  # held: granted beyond its role
    WITHDRAWN = "withdrawn"  # not held: a default of its role, withdrawn
    NONE = "none"  # not held: not among its role's defaults


@dataclass(frozen=True)
class PermissionMark:
    perm: Perm
    held: bool
    source: PermSource


def permission_marks(account: User) -> list[PermissionMark]:
    """Every permission this release knows, in `Perm` order, with whether the account's role and
    deviations give it and why. Describes the account's settings: a superuser holds everything and
    an inactive account nothing, whatever the marks say."""
    defaults = frozenset(default_permissions(account.role))
    held = effective_perms(
        role=account.role, granted=account.permissions_granted or (), withdrawn=account.permissions_withdrawn or ()
    )
    marks = []
    for perm in Perm:
        code = str(perm)
        if code in held:
            source = PermSource.ROLE if code in defaults else PermSource.GRANTED
        else:
            source = PermSource.WITHDRAWN if code in defaults else PermSource.NONE
        marks.append(PermissionMark(perm=perm, held=code in held, source=source))
    return marks


def user_perms(user: AnyUser) -> frozenset[str]:
    """The named permissions the account holds (all of them for a superuser, none when inactive)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    assert isinstance(user, User)
    if user.is_superuser:
        return KNOWN_PERMS
    return effective_perms(
        role=user.role, granted=user.permissions_granted or (), withdrawn=user.permissions_withdrawn or ()
    )


def has_perm(user: AnyUser, perm: Perm) -> bool:
    return str(perm) in user_perms(user)


def require_perm(user: AnyUser, perm: Perm) -> None:
    """Raise Forbidden unless the account holds `perm` (use after the record is known to be in reach);
    its message names the permission by its label (`missing_perm_message`)."""
    if not has_perm(user, perm):
        raise Forbidden(missing_perm_message(perm))


def require_staff_perm(user: AnyUser, perm: Perm) -> None:
    """Raise Forbidden unless a staff account holds `perm`. Helpers and family hold some view rights
    (elders, assessments, alerts) for the elders in their own care only; pages that report on or work
    through an area's records (response-time report, due list) are staff work, and refuse them with a
    reason that names the permission and says so."""
    require_perm(user, perm)
    if getattr(user, "role", "") in PERSONAL_ROLES:
        raise Forbidden(
            _("此页面只对工作人员开放：助老员和家属账号的“%(permission)s”权限只用于自己照护的老人")
            % {"permission": perm.label}
        )


def missing_perm_message(perm: Perm) -> str:
    """ "Missing permission: <label>", in the active language: the reason a 403 page or answer gives."""
    return _("缺少权限：%(permission)s") % {"permission": perm.label}


def is_placed_at_district(user: AnyUser, district: "Area") -> bool:
    """Whether the account is placed at `district` itself (a district-level account of it) or is a
    superuser. Street, community, organisation and personal accounts are not, even inside the
    district: settings that apply to a whole district (monitoring rules, escalation policies) are
    changed only by accounts for which this holds, whatever permissions they are granted."""
    scope = scope_for(user)
    return scope.kind is ScopeKind.ALL or (scope.kind is ScopeKind.DISTRICT and scope.area_id == district.pk)


def access_staff_by_public_id(*, user: AnyUser, public_id: UUID | str) -> User:
    """Return the account if it is placed in the district of `user` (see `staff_in_reach`), else
    StaffNotFound, the same answer for a missing account and one out of reach. Forbidden first if
    `user` does not hold `accounts.manage`, whichever account is asked for, so that says nothing
    about the account either."""
    # The selectors module builds on this one, so it is imported here rather than at the top.
    from yiyang.accounts.selectors import staff_in_reach

    require_perm(user, Perm.STAFF_MANAGE)
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise StaffNotFound from None
    account = staff_in_reach(user=user).select_related("area", "organisation").filter(public_id=key).first()
    if account is None:
        raise StaffNotFound
    return account
