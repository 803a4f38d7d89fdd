from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yiyang.accounts.access import (
    ScopeKind,
    access_staff_by_public_id,
    permission_marks,
    require_perm,
    scope_for,
    user_perms,
)
from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.accounts.selectors import staff_list
from yiyang.accounts.services import staff_permissions_change, staff_profile_change
from yiyang.accounts.signin import account_lock_of, locked_accounts_in_reach, second_factor_enrolled
from yiyang.audit.lists import audit_page_shown, audit_record_shown
from yiyang.core.errors import FieldError, ValidationFailed
from yiyang.core.web import query_without_page, staff_page
from yiyang.core.workspace import home_cards_for

STAFF_PAGE_SIZE = 50


HOME_HEADINGS = {
    ScopeKind.ALL: gettext_lazy("辖区概况"),
    ScopeKind.DISTRICT: gettext_lazy("辖区概况"),
    ScopeKind.HELPER: gettext_lazy("我的老人"),
    ScopeKind.FAMILY: gettext_lazy("我的家人"),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the cards the domains contribute for this account (`core.workspace`), under a
    heading for its kind of work. Accounts never imports a domain to build it."""
    cards = [{"card": card, "testid": card.key.replace(".", "-")} for card in home_cards_for(request.user)]
    heading = HOME_HEADINGS.get(scope_for(request.user).kind, gettext_lazy("我的工作"))
    return render(request, "accounts/home.html", {"cards": cards, "heading": heading})


@staff_page
def staff_list_page(request: HttpRequest) -> HttpResponse:
    """Accounts placed in the officer's district, with how far each deviates from its role."""
    require_perm(request.user, Perm.STAFF_MANAGE)
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    active = {"1": True, "0": False}.get(request.GET.get("active", ""))
    filters = {"q": q, "role": role, "active": active}
    accounts = staff_list(user=request.user, q=q, role=role, active=active)
    page = Paginator(accounts, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_shown(actor=request.user, entity_type="account", page=page)
    locked = locked_accounts_in_reach(user=request.user)
    return render(
        request,
        "accounts/staff_list.html",
        {
            "page_obj": page,
            "query_without_page": query_without_page(request),
            "filters": filters,
            "roles": Role.choices,
            "locked": locked,
            "locked_usernames": {row.account.username for row in locked},
        },
    )


def _staff_detail(
    request: HttpRequest,
    account: User,
    errors: list[FieldError],
    status: int = 200,
    *,
    profile: dict[str, str] | None = None,
    profile_errors: list[FieldError] = (),  # type: ignore[assignment]
) -> HttpResponse:
    field_errors: dict[str, list[str]] = {}
    for error in profile_errors:
        field_errors.setdefault(error.field, []).append(str(error.reason))
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "account": account,
            "profile": profile
            or {"full_name": account.full_name, "qualification_number": account.qualification_number},
            "profile_errors": field_errors,
            "marks": permission_marks(account),
            "grantable": user_perms(request.user),
            "errors": errors,
            "lock": account_lock_of(account),
            "second_factor_enrolled": second_factor_enrolled(account),
        },
        status=status,
    )


@staff_page
def staff_detail_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One account's permissions, each marked as from its role, granted or withdrawn. Posting the
    ticked boxes grants what was unticked and withdraws what was ticked before."""
    account = access_staff_by_public_id(user=request.user, public_id=public_id)
    if request.method != "POST":
        audit_record_shown(actor=request.user, entity_type="account", record=account)
        return _staff_detail(request, account, [])
    ticked = set(request.POST.getlist("permissions"))
    held = {str(mark.perm) for mark in permission_marks(account) if mark.held}
    try:
        staff_permissions_change(
            actor=request.user, account=account, grant=sorted(ticked - held), withdraw=sorted(held - ticked)
        )
    except ValidationFailed as exc:
        account.refresh_from_db()
        return _staff_detail(request, account, exc.errors, status=400)
    messages.success(request, _("已保存。") if ticked != held else _("没有修改。"))
    return redirect("staff-detail", public_id=account.public_id)


@require_POST
@staff_page
def staff_profile_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Change the account's full name and qualification number; each problem is shown next to its
    input and nothing is saved."""
    account = access_staff_by_public_id(user=request.user, public_id=public_id)
    profile = {
        "full_name": request.POST.get("full_name", ""),
        "qualification_number": request.POST.get("qualification_number", ""),
    }
    try:
        staff_profile_change(actor=request.user, account=account, **profile)
    except ValidationFailed as exc:
        account.refresh_from_db()
        return _staff_detail(request, account, [], status=400, profile=profile, profile_errors=exc.errors)
    messages.success(request, _("已保存。"))
    return redirect("staff-detail", public_id=account.public_id)
