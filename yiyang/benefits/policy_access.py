"""Who may read a district's subsidy policy, and who may change it or try a draft value.

The parameters in force and the loaded district files are read by staff of the district holding
`benefits.view` (street, institution and district staff work with these amounts); loading a file and
the what-if are for a district-level account of that district (or a superuser) holding
`benefits.policy`. A district out of reach answers "not found" (the same as a missing one); in reach
without the right, Forbidden naming it.
"""

from uuid import UUID

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.access import (
    AnyUser,
    ScopeKind,
    has_perm,
    is_placed_at_district,
    require_perm,
    require_staff_perm,
    scope_for,
)
from yiyang.accounts.permissions import Perm
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.benefits.models import PolicyFile
from yiyang.core.errors import Forbidden, NotFound


class PolicyDistrictNotFound(NotFound):
    title: str | Promise = gettext_lazy("区不存在或不在您的辖区内")


class PolicyFileNotFound(NotFound):
    title: str | Promise = gettext_lazy("政策文件不存在或不在您的辖区内")


def _district(user: AnyUser, public_id: UUID | str | None) -> Area:
    scope = scope_for(user)
    if public_id in (None, ""):
        if scope.kind is ScopeKind.ALL:
            district = Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code").first()
        elif scope.district_id is not None and scope.kind is not ScopeKind.FAMILY:
            district = Area.objects.filter(pk=scope.district_id, level=AreaLevel.DISTRICT).first()
        else:
            district = None
    else:
        try:
            key = UUID(str(public_id))
        except ValueError:
            raise PolicyDistrictNotFound from None
        district = Area.objects.filter(public_id=key, level=AreaLevel.DISTRICT).first()
        if district is not None and not (scope.kind is ScopeKind.ALL or scope.district_id == district.pk):
            district = None
    if district is None:
        raise PolicyDistrictNotFound
    return district


def policy_changeable_by(*, user: AnyUser, district: Area) -> bool:
    """Whether the account may load a file for `district` or try a draft value on its policy."""
    return has_perm(user, Perm.BENEFITS_POLICY) and is_placed_at_district(user, district)


def require_policy_changer(*, user: AnyUser, district: Area) -> None:
    """Forbidden unless `policy_changeable_by`; the message names the right or the level needed."""
    require_perm(user, Perm.BENEFITS_POLICY)
    if not is_placed_at_district(user, district):
        raise Forbidden(_("只有区级主管人员可以修改本区补贴政策参数"))


def access_policy_district_by_public_id(
    *, user: AnyUser, public_id: UUID | str | None = None, perm: Perm = Perm.BENEFITS_VIEW
) -> Area:
    """The district whose policy is asked for: the one named by `public_id` if the account is placed
    in it (any district for a superuser), else the account's own district when none is named.
    PolicyDistrictNotFound when missing or out of reach (family accounts have no district); then
    Forbidden without `benefits.view` (staff only), or, for `benefits.policy`, unless a district-level
    account of it holds that right."""
    assert perm in (Perm.BENEFITS_VIEW, Perm.BENEFITS_POLICY)
    district = _district(user, public_id)
    if perm is Perm.BENEFITS_POLICY:
        require_policy_changer(user=user, district=district)
    else:
        require_staff_perm(user, Perm.BENEFITS_VIEW)
    return district


def access_policy_file_by_public_id(*, user: AnyUser, public_id: UUID | str) -> PolicyFile:
    """One loaded file of a district in reach (PolicyFileNotFound otherwise, the same for missing);
    Forbidden without `benefits.view`."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise PolicyFileNotFound from None
    found = PolicyFile.objects.select_related("district", "loaded_by").filter(public_id=key).first()
    scope = scope_for(user)
    if found is None or not (
        scope.kind is ScopeKind.ALL or (scope.kind is not ScopeKind.FAMILY and scope.district_id == found.district_id)
    ):
        raise PolicyFileNotFound
    require_staff_perm(user, Perm.BENEFITS_VIEW)
    return found
