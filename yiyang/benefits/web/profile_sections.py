"""The 补贴 section of the elder profile: the elder's benefit applications and entitlements in the
viewer's reach and the last payments on them. Needs `benefits.view` and the elder in reach."""

from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, has_perm
from yiyang.accounts.permissions import Perm
from yiyang.benefits.web.links import APPLICATIONS, detail_pages, page
from yiyang.benefits.workspace_selectors import elder_benefits
from yiyang.core.workspace import AuditedRows, CardLink, ProfileSection, register_profile_section
from yiyang.elders.access import elder_shown_with
from yiyang.elders.models import Elder


@register_profile_section("benefits.elder", order=90)
def benefits_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """None without `benefits.view` or when the elder is out of reach. Audited as the applications and
    entitlements it shows (the payments are lines of those entitlements)."""
    if not elder_shown_with(user=user, elder=elder, perm=Perm.BENEFITS_VIEW):
        return None
    found = elder_benefits(user=user, elder=elder)
    links = (
        [CardLink(_("补贴申请"), APPLICATIONS)] if has_perm(user, Perm.BENEFITS_APPLY) and page(APPLICATIONS) else []
    )
    return ProfileSection(
        key="benefits.elder",
        title=_("补贴"),
        template="benefits/sections/elder.html",
        data={
            "applications": found.applications,
            "entitlements": found.entitlements,
            "payments": found.payments,
            "links": links,
            "detail": detail_pages(),
        },
        empty=not (found.applications or found.entitlements),
        empty_hint=_(
            "尚无补贴申请。入住养老机构、具有本区户籍并有能力评估结论的老人，"
            "可由机构、家属或街道提交入住机构养老服务补贴申请。"
        ),
        shown=(
            AuditedRows("benefit_application", found.applications),
            AuditedRows("benefit_entitlement", found.entitlements),
        ),
    )
