"""The 智能监测 section of the elder profile: the elder's monitoring flags, conditions, medication and
override, with the editor for staff who may change them (`monitoring.web.profile`, whose HTMX form
re-renders the same include)."""

from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser
from yiyang.accounts.permissions import Perm
from yiyang.core.workspace import ProfileSection, register_profile_section
from yiyang.elders.access import elder_shown_with
from yiyang.elders.models import Elder
from yiyang.monitoring.web.profile import monitoring_profile_context


@register_profile_section("monitoring.profile", order=60)
def monitoring_profile_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """The section for viewers with `monitoring.rules.view` who reach the elder (None otherwise).
    Without a recorded profile it says that the district's rules apply, never that nothing is known."""
    if not elder_shown_with(user=user, elder=elder, perm=Perm.MONITORING_RULES_VIEW):
        return None
    data = monitoring_profile_context(user=user, elder=elder)["monitoring_section"]
    return ProfileSection(
        key="monitoring.profile",
        title=_("智能监测"),
        template="monitoring/sections/profile.html",
        data=data,
        # Reading a recorded profile is audited once, by `monitoring_profile_context` itself (as on
        # the section's own page), so the section declares nothing more to record.
        shown=(),
    )
