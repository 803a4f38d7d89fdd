"""The benefits domain's home cards: the district's payroll of the newest month and the approval
queue for district officers, the street review queue for street staff, and an institution's own
entitlements and last payment for its staff. Cards show figures only (no one's record), so they
record no audit event; the pages they link to do.

Links point at the benefits pages by path (/benefits/...), shown when the page exists (see links.py)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.benefits.choices import ApplicationStatus
from yiyang.benefits.web.links import APPLICATIONS as APPLICATIONS_URL
from yiyang.benefits.web.links import ENTITLEMENTS as ENTITLEMENTS_URL
from yiyang.benefits.web.links import PAYROLL as PAYROLL_URL
from yiyang.benefits.web.links import page
from yiyang.benefits.workspace_selectors import (
    district_decision_waiting,
    institution_benefits,
    latest_payroll_run,
    own_institution,
    pending_in_reach,
    reads_district_payroll,
    street_review_waiting,
)
from yiyang.core.workspace import CardLink, HomeCard, register_home_card


def _links(*candidates: tuple[Any, str]) -> tuple[CardLink, ...]:
    """The links whose page exists, in order."""
    return tuple(CardLink(label, url) for label, url in candidates if page(url) is not None)


@register_home_card("benefits.payroll", order=60)
def payroll_card(user: AnyUser) -> HomeCard | None:
    """District accounts reading payrolls: the newest month's run (status, total, lines); empty with a
    hint before the first run. None for everyone else."""
    if not reads_district_payroll(user):
        return None
    run = latest_payroll_run(user=user)
    candidates = [(_("月度发放表"), PAYROLL_URL)]
    if run is not None:
        candidates.insert(0, (_("查看本月发放表"), f"{PAYROLL_URL}{run.public_id}/"))
    return HomeCard(
        key="benefits.payroll",
        title=_("补贴月度发放"),
        template="benefits/cards/payroll.html",
        data={"run": run, "can_lock": has_perm(user, Perm.BENEFITS_PAYROLL)},
        empty=run is None,
        empty_hint=_("尚未编制月度发放表。区级经办人每月在“补贴 › 月度发放”计算上月发放表，核对后锁定。"),
        links=_links(*candidates),
    )


@register_home_card("benefits.queue", order=61)
def queue_card(user: AnyUser) -> HomeCard | None:
    """Accounts that decide (`benefits.approve`, district scope): applications waiting for the
    district's approval; accounts that review (`benefits.review`, street or community scope):
    applications waiting for the street review. None for everyone else."""
    kind = scope_for(user).kind
    if has_perm(user, Perm.BENEFITS_APPROVE) and kind in (ScopeKind.ALL, ScopeKind.DISTRICT):
        waiting = district_decision_waiting(user=user)
        return HomeCard(
            key="benefits.queue",
            title=_("待区级审批的补贴申请"),
            template="benefits/cards/queue.html",
            data={
                "waiting": waiting,
                "other": pending_in_reach(user=user, status=ApplicationStatus.SUBMITTED),
                "other_label": _("待街道审核"),
            },
            empty=waiting.count == 0,
            empty_hint=_("没有待区级审批的申请。街道审核通过的补贴申请会出现在这里。"),
            links=_links(
                (_("去审批"), f"{APPLICATIONS_URL}?status={ApplicationStatus.STREET_APPROVED}"),
                (_("全部申请"), APPLICATIONS_URL),
            ),
        )
    if has_perm(user, Perm.BENEFITS_REVIEW) and kind in (ScopeKind.STREET, ScopeKind.COMMUNITY):
        waiting = street_review_waiting(user=user)
        return HomeCard(
            key="benefits.queue",
            title=_("待街道审核的补贴申请"),
            template="benefits/cards/queue.html",
            data={
                "waiting": waiting,
                "other": pending_in_reach(user=user, status=ApplicationStatus.STREET_APPROVED),
                "other_label": _("已审核，待区级审批"),
            },
            empty=waiting.count == 0,
            empty_hint=_("没有待审核的申请。机构、家属或街道窗口提交的补贴申请会出现在这里。"),
            links=_links(
                (_("去审核"), f"{APPLICATIONS_URL}?status={ApplicationStatus.SUBMITTED}"),
                (_("全部申请"), APPLICATIONS_URL),
            ),
        )
    return None


@register_home_card("benefits.institution", order=62)
def institution_card(user: AnyUser) -> HomeCard | None:
    """Institution staff reading benefits: the institution's active entitlements by scheme, its
    residents with an active resident subsidy, and the last payment to the institution."""
    organisation_id = own_institution(user=user)
    if organisation_id is None:
        return None
    summary = institution_benefits(user=user, organisation_id=organisation_id)
    candidates = [(_("补贴待遇"), ENTITLEMENTS_URL)]
    if has_perm(user, Perm.BENEFITS_APPLY):
        candidates.append((_("补贴申请"), APPLICATIONS_URL))
    return HomeCard(
        key="benefits.institution",
        title=_("本机构补贴"),
        template="benefits/cards/institution.html",
        data={"summary": summary},
        empty=not (summary.active_total or summary.residents_subsidised or summary.last_paid or summary.computed),
        empty_hint=_("本机构还没有享受中的补贴。可在“补贴申请”中为本机构、护理人员或入住老人提交申请。"),
        links=_links(*candidates),
    )
