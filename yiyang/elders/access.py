from uuid import UUID

from yiyang.accounts.access import AnyUser, has_perm, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.elders.errors import ElderNotFound, HomeNotFound
from yiyang.elders.models import Elder, Home
from yiyang.elders.selectors import elder_get, elder_in_reach, elders_in_reach, homes_in_reach


def elder_shown_with(*, user: AnyUser, elder: Elder, perm: Perm) -> bool:
    """Whether the account holds `perm` and reaches the elder: what a profile section or timeline
    source checks before it shows anything of that elder (the permission first, no query without it)."""
    return has_perm(user, perm) and elder_in_reach(user=user, elder=elder)


def access_elder_by_public_id(*, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.ELDERS_VIEW) -> Elder:
    """Return the elder if the account may see it, else ElderNotFound; Forbidden if it may see but
    not perform `perm`. Missing and out-of-reach records give the same answer."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise ElderNotFound from None
    if not elders_in_reach(user=user).filter(public_id=key).exists():
        raise ElderNotFound
    elder = elder_get(public_id=key)
    if elder is None:
        raise ElderNotFound
    if perm is not Perm.ELDERS_VIEW:
        require_perm(user, perm)
    return elder


def access_home_by_public_id(*, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.ELDERS_VIEW) -> Home:
    """Return the home if it is in reach, else HomeNotFound; Forbidden when `perm` is missing."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise HomeNotFound from None
    home = homes_in_reach(user=user).select_related("community", "street").filter(public_id=key).first()
    if home is None:
        raise HomeNotFound
    if perm is not Perm.ELDERS_VIEW:
        require_perm(user, perm)
    return home
