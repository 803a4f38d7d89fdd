"""The organisations domain's home card: bed occupancy, district-wide for district officers and of
their own institution for its staff. Never for helpers, family, stations or streets."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.core.workspace import CardLink, HomeCard, register_home_card
from yiyang.organisations.selectors import bed_overview, own_bed_organisation


@register_home_card("organisations.beds", order=40)
def beds_card(user: AnyUser) -> HomeCard | None:
    """District (or whole-platform) occupancy for accounts with a district scope; the institution's own
    beds occupied/free and admissions this month for institution staff; None for everyone else."""
    if not has_perm(user, Perm.ORGS_VIEW):
        return None
    kind = scope_for(user).kind
    organisation = own_bed_organisation(user=user)
    if kind not in (ScopeKind.ALL, ScopeKind.DISTRICT) and organisation is None:
        return None
    overview = bed_overview(user=user, today=timezone.localdate())
    if organisation is not None:
        title = _("本机构床位")
        links: tuple[CardLink, ...] = (
            CardLink(_("床位与入住"), reverse("organisation-detail", args=[organisation.public_id])),
        )
        hint = _("本机构还没有登记床位。请在机构页面添加床位后再办理入住。")
    else:
        title = _("机构床位入住")
        links = (CardLink(_("入住率"), reverse("occupancy")), CardLink(_("机构列表"), reverse("organisation-list")))
        hint = _("辖区内还没有登记床位。养老机构在“机构与床位”中登记床位后会出现在这里。")
    return HomeCard(
        key="organisations.beds",
        title=title,
        template="organisations/cards/beds.html",
        data={"beds": overview.beds, "admitted_this_month": overview.admitted_this_month, "own": organisation},
        empty=not (overview.beds.total or overview.beds.unavailable),
        empty_hint=hint,
        links=links,
    )
