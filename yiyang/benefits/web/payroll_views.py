"""Pages of the monthly payroll (list, compute, run detail with explained lines, lock, files) and of
the budget ledger. Thin: reach in payroll_access, reads in payroll_selectors, writes in services."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from yiyang.accounts.access import has_perm, require_perm
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.audit.lists import audit_page_shown, audit_record_shown
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_list_view, audit_record
from yiyang.benefits.choices import LineKind, PayrollStatus, Scheme
from yiyang.benefits.payroll_access import (
    access_district_by_public_id,
    access_payroll_run_by_public_id,
    payroll_districts_in_reach,
    require_payroll_reader,
)
from yiyang.benefits.payroll_files import payment_file_download, workbook_download
from yiyang.benefits.payroll_selectors import (
    LineFilters,
    RunFilters,
    budget_ledger,
    explain_line,
    month_from_text,
    payroll_run_lines,
    payroll_run_list,
    payroll_run_parameters,
    payroll_run_totals,
)
from yiyang.benefits.services.budgets import budget_set
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.benefits.services.payroll_exports import payroll_payment_file, payroll_workbook
from yiyang.core.errors import ValidationFailed
from yiyang.core.web import is_partial, query_without_page, staff_page

PAGE_SIZE = 20
LINES_PAGE_SIZE = 50


def _errors_by_field(exc: ValidationFailed) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = defaultdict(list)
    for error in exc.errors:
        errors[error.field].append(error.reason)
    if not exc.errors:
        errors["form"].append(exc.message)
    return dict(errors)


def _year(raw: str | None) -> int | None:
    try:
        year = int(raw or "")
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


@staff_page
def payroll_list_page(request: HttpRequest) -> HttpResponse:
    """Runs of the districts in reach (newest month first) and, for `benefits.payroll`, the form
    that computes a month. A computed month goes to its run page; a refusal shows under the month."""
    require_payroll_reader(request.user)
    districts = list(payroll_districts_in_reach(user=request.user))
    can_compute = has_perm(request.user, Perm.BENEFITS_PAYROLL)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        require_perm(request.user, Perm.BENEFITS_PAYROLL)
        posted = {"month": request.POST.get("month", "")[:10], "district": request.POST.get("district", "")[:40]}
        try:
            district = access_district_by_public_id(user=request.user, public_id=posted["district"] or None)
            run = payroll_compute(actor=request.user, district=district, month=month_from_text(posted["month"]))
        except ValidationFailed as exc:
            errors = _errors_by_field(exc)
        else:
            messages.success(
                request,
                _("已计算 %(month)s 发放表：%(count)s 笔，净额 %(total)s 元。")
                % {"month": f"{run.month:%Y-%m}", "count": run.line_count, "total": f"{run.total:,.2f}"},
            )
            return redirect("benefits-payroll-run", public_id=run.public_id)
    status = request.GET.get("status", "")
    filters = RunFilters(status=status if status in PayrollStatus.values else "", year=_year(request.GET.get("year")))
    page = Paginator(payroll_run_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_shown(actor=request.user, entity_type="payroll_run", page=page)
    today = timezone.localdate()
    context = {
        "page_obj": page,
        "query_without_page": query_without_page(request),
        "filters": filters,
        "statuses": PayrollStatus.choices,
        "districts": districts,
        "can_compute": can_compute,
        "errors": errors,
        "posted": posted,
        "default_month": posted.get("month") or f"{today:%Y-%m}",
    }
    template = "benefits/payroll/includes/run_table.html" if is_partial(request) else "benefits/payroll/run_list.html"
    response = render(request, template, context, status=400 if errors else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_page
def payroll_run_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One run: totals by scheme and kind, bank and net totals, the parameters used (value and mark),
    and its lines filtered by scheme, kind and name, each with its explanation. Audited as a view of
    the run and of the lines shown."""
    run = access_payroll_run_by_public_id(user=request.user, public_id=public_id)
    scheme = request.GET.get("scheme", "")
    kind = request.GET.get("kind", "")
    filters = LineFilters(
        scheme=scheme if scheme in Scheme.values else "",
        kind=kind if kind in LineKind.values else "",
        search=request.GET.get("q", "")[:100],
    )
    page = Paginator(payroll_run_lines(run=run, filters=filters), LINES_PAGE_SIZE).get_page(request.GET.get("page"))
    lines = list(page.object_list)
    page.object_list = lines
    listed = disclosure_for(request.user).listed
    parameters = run.parameters or {}
    rows = [
        {
            "line": line,
            "account": listed.bank_account(line.payee_account),
            "subject": _subject(line),
            "explanation": explain_line(line, parameters),
        }
        for line in lines
    ]
    audit_list_view(
        actor=request.user,
        entity_type="payroll_line",
        ids=[line.pk for line in lines],
        district=run.district_id,
        summary=f"查看发放明细（{len(lines)}条）",
    )
    context: dict[str, Any] = {
        "run": run,
        "rows": rows,
        "page_obj": page,
        "query_without_page": query_without_page(request),
        "filters": filters,
        "schemes": Scheme.choices,
        "kinds": LineKind.choices,
    }
    if is_partial(request):
        response = render(request, "benefits/payroll/includes/line_table.html", context)
    else:
        audit_record_shown(actor=request.user, entity_type="payroll_run", record=run)
        context.update(
            totals=payroll_run_totals(run=run),
            used=payroll_run_parameters(run=run),
            can_act=has_perm(request.user, Perm.BENEFITS_PAYROLL),
            locked=run.status == PayrollStatus.LOCKED,
        )
        response = render(request, "benefits/payroll/run_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _subject(line: Any) -> str:
    entitlement = line.entitlement
    if entitlement.elder_id is not None:
        return str(entitlement.elder.name)
    if entitlement.organisation_id is not None:
        return str(entitlement.organisation.name)
    return str(entitlement.worker_name)


@staff_page
def payroll_lock_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Confirm, then lock a computed run (its lines become final)."""
    run = access_payroll_run_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_PAYROLL)
    errors: list[str] = []
    if request.method == "POST":
        try:
            payroll_lock(actor=request.user, run=run)
        except ValidationFailed as exc:
            errors = [e.reason for e in exc.errors] or [exc.message]
        else:
            messages.success(request, _("%(month)s 发放表已锁定，为最终版本。") % {"month": f"{run.month:%Y-%m}"})
            return redirect("benefits-payroll-run", public_id=run.public_id)
    return render(
        request,
        "benefits/payroll/lock_confirm.html",
        {"run": run, "totals": payroll_run_totals(run=run), "errors": errors},
        status=400 if errors else 200,
    )


@staff_page
def payroll_workbook_download(request: HttpRequest, public_id: str) -> FileResponse:
    run = access_payroll_run_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_PAYROLL)
    return workbook_download(payroll_workbook(actor=request.user, run=run))


@staff_page
def payroll_bank_file_download(request: HttpRequest, public_id: str) -> HttpResponse:
    run = access_payroll_run_by_public_id(user=request.user, public_id=public_id, perm=Perm.BENEFITS_PAYROLL)
    return payment_file_download(payroll_payment_file(actor=request.user, run=run))


@staff_page
def budget_page(request: HttpRequest) -> HttpResponse:
    """A district's ledger for a year (?year=, ?district= when several are in reach) and, for
    `benefits.payroll`, the form that sets a scheme's budget."""
    require_payroll_reader(request.user)
    districts = list(payroll_districts_in_reach(user=request.user))
    source = request.POST if request.method == "POST" else request.GET
    district_key = source.get("district", "")[:40] or (str(districts[0].public_id) if districts else "")
    district = access_district_by_public_id(user=request.user, public_id=district_key or None)
    year = _year(source.get("year")) or timezone.localdate().year
    can_set = has_perm(request.user, Perm.BENEFITS_PAYROLL)
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        require_perm(request.user, Perm.BENEFITS_PAYROLL)
        posted = {"scheme": request.POST.get("scheme", "")[:40], "amount": request.POST.get("amount", "")[:20]}
        try:
            budget_set(
                actor=request.user, district=district, scheme=posted["scheme"], year=year, amount=posted["amount"]
            )
        except ValidationFailed as exc:
            errors = _errors_by_field(exc)
        else:
            messages.success(request, _("已设置 %(year)s 年预算。") % {"year": year})
            return redirect(f"{request.path}?year={year}&district={district.public_id}")
    ledger = budget_ledger(district=district, year=year)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        entity_type="benefit_budget",
        summary=f"查看补贴预算台账（{year}年）",
        district=district.pk,
    )
    context = {
        "ledger": ledger,
        "districts": districts,
        "district": district,
        "year": year,
        "years": list(range(year - 2, year + 3)),
        "schemes": Scheme.choices,
        "can_set": can_set,
        "errors": errors,
        "posted": posted,
        "months": list(range(1, 13)),
    }
    return render(request, "benefits/payroll/budget.html", context, status=400 if errors else 200)
