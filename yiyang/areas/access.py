from uuid import UUID

from yiyang.accounts.access import AnyUser
from yiyang.areas.errors import AreaNotFound
from yiyang.areas.models import Area
from yiyang.areas.selectors import areas_in_reach


def access_area_by_public_id(*, user: AnyUser, public_id: UUID | str) -> Area:
    """Return the area if it is in the account's reach, else AreaNotFound."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise AreaNotFound from None
    area = areas_in_reach(user=user).filter(public_id=key).first()
    if area is None:
        raise AreaNotFound
    return area
