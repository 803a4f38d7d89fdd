from uuid import UUID

from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser
from yiyang.areas.errors import AreaNotFound
from yiyang.areas.models import Area
from yiyang.areas.selectors import areas_in_reach
from yiyang.core.errors import FieldError


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


def access_area_filter(*, user: AnyUser, public_id: UUID | str, field: str, level: str | None = None) -> Area:
    """The area a list filter (`?street=`, `?community=`) names, if it is of `level` and in the
    account's reach (`areas_in_reach`, what the area API lists for it).

    Otherwise AreaNotFound naming `field`: a filter outside the reach answers 404 as a record outside
    it does, the same for an unknown or malformed id, in pages, API and exports alike, and is never
    silently ignored (which would show the whole reach under a filter the caller believes applied).
    """
    try:
        key = UUID(str(public_id))
    except ValueError:
        key = None
    qs = areas_in_reach(user=user)
    if level is not None:
        qs = qs.filter(level=level)
    area = qs.filter(public_id=key).first() if key is not None else None
    if area is None:
        reason = str(_("该区域不存在或不在您的辖区内"))
        raise AreaNotFound(reason, errors=[FieldError(field, reason, "not_found")])
    return area


def area_filter_id(value: str | None, *, field: str) -> UUID | None:
    """An area filter's value from a page's query string: None when blank, else its UUID. A malformed
    value names no area, so it raises AreaNotFound naming `field` like an unknown id does."""
    raw = str(value or "").strip()
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        reason = str(_("该区域不存在或不在您的辖区内"))
        raise AreaNotFound(reason, errors=[FieldError(field, reason, "not_found")]) from None
