"""Who may act, and where: the single place that turns an account into a scope and a permission set.

Every domain `access.py` asks `scope_for(user)` which rows are within reach and `require_perm` /
`has_perm` whether an action is allowed. Outside the reach, records answer "not found".
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from yiyang.accounts.choices import (
    COMMUNITY_ROLES,
    DISTRICT_ROLES,
    ORGANISATION_ROLES,
    STREET_ROLES,
    Role,
)
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.areas.choices import AreaLevel
from yiyang.core.errors import Forbidden

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


def user_perms(user: AnyUser) -> frozenset[str]:
    """The named permissions the account holds (all of them for a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    assert isinstance(user, User)
    if user.is_superuser:
        return frozenset(str(p) for p in Perm)
    return frozenset(str(p) for p in (user.permissions or []))


def has_perm(user: AnyUser, perm: Perm) -> bool:
    return str(perm) in user_perms(user)


def require_perm(user: AnyUser, perm: Perm) -> None:
    """Raise Forbidden unless the account holds `perm` (use after the record is known to be in reach)."""
    if not has_perm(user, perm):
        raise Forbidden(f"缺少权限：{perm.label}")
