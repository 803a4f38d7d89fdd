"""Who may read and change monitoring rules, and where.

District rules are read by every account of the district holding `monitoring.rules.view` (frontline
staff need the thresholds their elders are watched by to set an elder's profile sensibly); they are
changed by a district-level account of that district holding `monitoring.rules.change` (checked by
the service). An elder's monitoring profile is read and changed by staff with reach over the elder.
Out of reach answers "not found"; in reach without the named permission, Forbidden.
"""

from uuid import UUID

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, is_placed_at_district, require_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.elders.access import access_elder_by_public_id
from yiyang.elders.models import Elder
from yiyang.monitoring.errors import DistrictNotFound

_DISTRICT_PERMS = (Perm.MONITORING_RULES_VIEW, Perm.MONITORING_RULES_CHANGE)
_PROFILE_PERMS = (Perm.MONITORING_RULES_VIEW, Perm.MONITORING_PROFILE_CHANGE)


def district_rules_changeable_by(*, user: AnyUser, district: Area) -> bool:
    """Whether the account may change the district's rules: `monitoring.rules.change` held by an
    account placed at that district itself (a district officer of it) or by a superuser
    (`is_placed_at_district`). Street, community and organisation accounts never change a whole
    district's rules, even when granted."""
    return is_placed_at_district(user, district) and has_perm(user, Perm.MONITORING_RULES_CHANGE)


def access_district_rules_by_public_id(
    *, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.MONITORING_RULES_VIEW
) -> Area:
    """The district (an `Area` of level district) if the account is placed in it (any district for a
    superuser), else DistrictNotFound (missing and out of reach answer the same). Forbidden when the
    account lacks `monitoring.rules.view` or the requested `perm`. Changing also needs a district-level
    account; `services.district_rules_set` checks that."""
    assert perm in _DISTRICT_PERMS
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise DistrictNotFound from None
    district = Area.objects.filter(public_id=key, level=AreaLevel.DISTRICT).first()
    scope = scope_for(user)
    if district is None or not (scope.kind is ScopeKind.ALL or scope.district_id == district.pk):
        raise DistrictNotFound
    require_perm(user, Perm.MONITORING_RULES_VIEW)
    if perm is not Perm.MONITORING_RULES_VIEW:
        require_perm(user, perm)
    return district


def access_elder_profile_by_public_id(
    *, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.MONITORING_RULES_VIEW
) -> Elder:
    """The elder whose monitoring profile is asked for, if in reach (ElderNotFound otherwise, the
    same for missing); Forbidden without `monitoring.rules.view` or the requested `perm`."""
    assert perm in _PROFILE_PERMS
    elder = access_elder_by_public_id(user=user, public_id=public_id)
    require_perm(user, Perm.MONITORING_RULES_VIEW)
    if perm is not Perm.MONITORING_RULES_VIEW:
        require_perm(user, perm)
    return elder
