from collections.abc import Mapping

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm


def staff_in_reach(*, user: AnyUser) -> QuerySet[User]:
    """Accounts an officer holding `accounts.manage` may see: those placed in their district.

    An account is placed by its area or its organisation; family accounts are placed by their elder.
    """
    if not has_perm(user, Perm.STAFF_MANAGE):
        return User.objects.none()
    scope = scope_for(user)
    if scope.kind is ScopeKind.ALL:
        return User.objects.all()
    if scope.kind is ScopeKind.DISTRICT:
        district = scope.area_id
        return User.objects.filter(
            Q(area_id=district)
            | Q(area__district_id=district)
            | Q(organisation__district_id=district)
            | Q(family_links__elder__district_id=district)
        ).distinct()
    return User.objects.none()


def staff_list(*, user: AnyUser, q: str = "", role: str = "", active: bool | None = None) -> QuerySet[User]:
    """`staff_in_reach` by username, narrowed by `q` (username by prefix, or name anywhere in it),
    `role` and whether the account is active."""
    qs = staff_in_reach(user=user)
    text = q.strip()
    if text:
        qs = qs.filter(Q(username__istartswith=text) | Q(full_name__icontains=text))
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("area", "organisation").order_by("username")


def person_name(user: AnyUser | None) -> str:
    """The account's person as people call them: the full name, else the username ("" for nobody)."""
    if not isinstance(user, User):
        return ""
    return user.full_name.strip() or user.username


def person_snapshot(user: User) -> dict[str, str]:
    """What identifies the person who signs something, as it is now: name, username, qualification
    number and the organisation (else the area) they act for. Stored by services on a record that
    must keep showing who signed it even after the account is renamed or moved."""
    place = user.organisation.name if user.organisation else (user.area.name if user.area else "")
    return {
        "name": person_name(user),
        "username": user.username,
        "qualification_number": user.qualification_number.strip(),
        "organisation": place,
    }


def snapshot_label(snapshot: Mapping[str, str] | None) -> str:
    """One line for a stored `person_snapshot`: "张丽（证书编号 350203-2024-017） · 海天社区养老服务站";
    the qualification and the organisation are left out when unknown ("" for an empty snapshot)."""
    if not snapshot or not snapshot.get("name"):
        return ""
    label = snapshot["name"]
    if number := snapshot.get("qualification_number"):
        label = _("%(name)s（证书编号 %(number)s）") % {"name": label, "number": number}
    if place := snapshot.get("organisation"):
        label = f"{label} · {place}"
    return label


def person_label(user: AnyUser | None) -> str:
    """How a person who acted is shown everywhere (assessor, reviewer, responder, creator): the full
    name, the qualification number when there is one and the organisation (else the area) beside,
    e.g. "张丽（证书编号 350203-2024-017） · 海天社区养老服务站"; "" for nobody. Select `organisation`
    and `area` with the user to avoid a query per row."""
    if not isinstance(user, User):
        return ""
    return snapshot_label(person_snapshot(user))


def signed_label(snapshot: Mapping[str, str] | None, user: AnyUser | None) -> str:
    """The person who signed a record as stored when they signed (`person_snapshot`), else, for a
    record signed before snapshots were kept, as they are now; "" for nobody."""
    return snapshot_label(snapshot) if snapshot else person_label(user)
