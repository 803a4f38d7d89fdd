"""The elders domain's home cards: the roll in the viewer's area, and a helper's or family member's
own elders."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import audit_card_rows_shown
from yiyang.core.workspace import CardLink, HomeCard, register_home_card
from yiyang.elders.selectors import age_on, elder_overview, elders_in_personal_care

AREA_SCOPES = frozenset({ScopeKind.ALL, ScopeKind.DISTRICT, ScopeKind.STREET, ScopeKind.COMMUNITY})
# Enough for a helper's round on a phone; the list page has the rest.
MINE_LIMIT = 30


@register_home_card("elders.overview", order=10)
def elders_overview_card(user: AnyUser) -> HomeCard | None:
    """Elders on the roll in the viewer's area (total, registered, living alone; per street for a
    district). Area accounts with `elders.view` only."""
    scope = scope_for(user)
    if not has_perm(user, Perm.ELDERS_VIEW) or scope.kind not in AREA_SCOPES:
        return None
    overview = elder_overview(user=user)
    by_street = overview["by_street"] if scope.kind in (ScopeKind.ALL, ScopeKind.DISTRICT) else []
    return HomeCard(
        key="elders.overview",
        title=_("在册老年人"),
        template="elders/cards/overview.html",
        data={**overview, "by_street": by_street},
        empty=not overview["total"],
        empty_hint=_("辖区内还没有在册老年人。可在“老年人”中登记或导入花名册。"),
        links=(CardLink(_("老年人列表"), reverse("elder-list")),),
        width=12,
    )


@register_home_card("elders.mine", order=11)
def my_elders_card(user: AnyUser) -> HomeCard | None:
    """A helper's assigned elders or a family member's linked elders, each with age and community and a
    link to the profile. The rows shown are audited as a list view."""
    scope = scope_for(user)
    if not has_perm(user, Perm.ELDERS_VIEW) or scope.kind not in (ScopeKind.HELPER, ScopeKind.FAMILY):
        return None
    qs = elders_in_personal_care(user=user)
    elders = list(qs[:MINE_LIMIT])
    audit_card_rows_shown(actor=user, entity_type="elder", rows=elders)
    today = timezone.localdate()
    helper = scope.kind is ScopeKind.HELPER
    return HomeCard(
        key="elders.mine",
        title=_("我负责的老人") if helper else _("我的家人"),
        template="elders/cards/mine.html",
        data={
            "rows": [{"elder": e, "age": age_on(e.birth_date, today)} for e in elders],
            "total": qs.count() if len(elders) == MINE_LIMIT else len(elders),
        },
        empty=not elders,
        empty_hint=_("还没有为您分配老人。请联系所在社区的养老服务站。")
        if helper
        else _("您的账号还没有关联老人。请联系老人所在社区的养老服务站办理关联。"),
        links=(CardLink(_("老年人列表"), reverse("elder-list")),) if helper and len(elders) == MINE_LIMIT else (),
        width=12,
    )
