from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from yiyang.accounts.access import has_perm, missing_perm_message
from yiyang.accounts.permissions import Perm
from yiyang.audit.api.views import parse_audit_filters
from yiyang.audit.entity_types import ENTITY_TYPE_LABELS, entity_type_choices
from yiyang.audit.models import AuditAction
from yiyang.audit.selectors import audit_event_list
from yiyang.audit.services import audit_event_export
from yiyang.core.api import validation_failed
from yiyang.core.excel import workbook_response
from yiyang.core.web import query_without_page, rejected_response

AUDIT_EXPORT_MAX_ROWS = 100_000


@login_required
def audit_export_download(request: HttpRequest) -> HttpResponse | FileResponse:
    """The filtered audit log as .xlsx (at most 100,000 rows); the export is itself audited."""
    if not has_perm(request.user, Perm.AUDIT_VIEW):
        raise PermissionDenied(missing_perm_message(Perm.AUDIT_VIEW))
    params = {k: v for k, v in request.GET.items() if v and k != "page"}
    try:
        filters = parse_audit_filters(params)
    except ValidationError as exc:  # e.g. a date out of the accepted range: 400 naming it, no export
        return rejected_response(request, validation_failed(exc))
    events = audit_event_export(actor=request.user, filters=filters, limit=AUDIT_EXPORT_MAX_ROWS)
    return workbook_response(
        filename=f"审计日志-{timezone.localdate():%Y%m%d}.xlsx",
        sheet_title=_("审计日志"),
        headers=[
            _("时间"),
            _("操作人"),
            _("操作"),
            _("对象类型"),
            _("对象编号"),
            _("摘要"),
            _("涉及字段"),
            _("涉及记录"),
            _("来源IP"),
            _("请求方法"),
            _("路径"),
            _("响应状态"),
            _("序号"),
            _("哈希"),
        ],
        rows=(
            [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_label,
                e.get_action_display(),
                e.entity_type,
                e.entity_id,
                e.summary,
                ", ".join(e.fields),
                ", ".join(e.record_ids),
                e.ip_address or "",
                e.method,
                e.path,
                e.status_code or "",
                e.sequence,
                e.hash,
            ]
            for e in events
        ),
    )


@login_required
def audit_list_page(request: HttpRequest) -> HttpResponse:
    """The audit log for bureau officers, filterable by action, actor, record type, record and date.

    Record types are shown by name in the reader's language, with the stored value beside them.
    """
    if not has_perm(request.user, Perm.AUDIT_VIEW):
        raise PermissionDenied(missing_perm_message(Perm.AUDIT_VIEW))
    params = {k: v for k, v in request.GET.items() if v and k != "page"}
    try:
        filters = parse_audit_filters(params)
    except ValidationError as exc:  # e.g. a date out of the accepted range: 400 naming it
        return rejected_response(request, validation_failed(exc))
    page = Paginator(audit_event_list(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/list.html",
        {
            "page_obj": page,
            "actions": AuditAction.choices,
            "entity_types": entity_type_choices(),
            # A filter on a type without a name (typed into the URL) stays selected, as stored.
            "entity_type_unnamed": "" if filters.entity_type in ENTITY_TYPE_LABELS else filters.entity_type,
            "params": params,
            "query_without_page": query_without_page(request),
        },
    )
