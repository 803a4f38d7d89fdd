from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from yiyang.accounts.access import has_perm
from yiyang.accounts.permissions import Perm
from yiyang.audit.api.views import parse_audit_filters
from yiyang.audit.models import AuditAction
from yiyang.audit.selectors import AuditFilters, audit_event_list


@login_required
def audit_list_page(request: HttpRequest) -> HttpResponse:
    """The audit log for bureau officers, filterable by action, actor, record and date."""
    if not has_perm(request.user, Perm.AUDIT_VIEW):
        raise PermissionDenied
    params = {k: v for k, v in request.GET.items() if v and k != "page"}
    try:
        filters = parse_audit_filters(params)
    except ValidationError:
        messages.warning(request, _("筛选条件有误，已忽略。"))
        filters = AuditFilters()
    page = Paginator(audit_event_list(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page_obj": page,
            "actions": AuditAction.choices,
            "params": params,
            "query_without_page": query.urlencode(),
        },
    )
