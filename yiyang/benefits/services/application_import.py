"""Bulk import of benefit applications from an Excel workbook: every row is submitted, or none.

Each row goes through `application_submit`, exactly as a form would, so an imported application is
checked by the same rules (reach, subject, declared facts against the policy, payee, duplicates).
Re-importing the same file returns the applications already created (each row's idempotency key is
the file's hash and the row number), so a retried upload is one set of records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.benefits.choices import Channel, Scheme
from yiyang.benefits.declared import FACTS, PREMISES
from yiyang.benefits.models import Application
from yiyang.benefits.services.applications import ApplicationInput, application_submit
from yiyang.core.errors import ErrorCollector, FieldError, ValidationFailed
from yiyang.core.excel import read_rows, workbook_response
from yiyang.elders.selectors import elders_in_reach, national_id_exact_q
from yiyang.organisations.selectors import organisations_in_reach

IMPORT_MAX_ROWS = 2_000

# (header, key): the subject and payee columns, then one column per declared fact (a fact that several
# schemes ask for, such as years of service, is one column).
BASE_COLUMNS: tuple[tuple[Any, str], ...] = (
    (gettext_lazy("补贴项目"), "scheme"),
    (gettext_lazy("老年人身份证号"), "elder_national_id"),
    (gettext_lazy("机构统一社会信用代码"), "organisation_credit_code"),
    (gettext_lazy("护理人员姓名"), "worker_name"),
    (gettext_lazy("护理人员身份证号"), "worker_national_id"),
    (gettext_lazy("申请享受起始日期"), "requested_from"),
    (gettext_lazy("收款人"), "payee_name"),
    (gettext_lazy("收款账号"), "payee_account"),
    (gettext_lazy("开户行"), "payee_bank"),
)
FACT_HEADERS: dict[str, Any] = {
    "approved_beds": gettext_lazy("核定床位（张）"),
    "premises": gettext_lazy("用房性质"),
    "lease_years": gettext_lazy("租期（年）"),
    "rating_grade": gettext_lazy("评定等级（级）"),
    "rated_on": gettext_lazy("评定日期"),
    "education": gettext_lazy("学历（入职奖补）"),
    "years_of_service": gettext_lazy("工作年限（年）"),
    "lower_award_paid": gettext_lazy("已领取满3年档在职奖补"),
    "degree": gettext_lazy("学历（人才入职奖励）"),
    "hired_on": gettext_lazy("入职日期"),
    "skill_grade": gettext_lazy("技能等级（级）"),
    "certified_on": gettext_lazy("取证日期"),
    "certificate_grade": gettext_lazy("证书等级（级）"),
}
YES = frozenset({"是", "yes", "true", "1"})
NO = frozenset({"否", "no", "false", "0", ""})


def import_headers() -> list[str]:
    """The template's header row, in the current language."""
    return [str(h) for h, _key in BASE_COLUMNS] + [str(FACT_HEADERS[name]) for name in FACT_HEADERS]


@dataclass(frozen=True)
class ApplicationImportResult:
    created: int
    already_imported: int


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _scheme(value: Any) -> str:
    text = _text(value)
    for scheme in Scheme:
        if text in (scheme.value, str(scheme.label)):
            return scheme.value
    return text


def _digits_cell(value: Any, field_name: str, number: int, errors: ErrorCollector) -> str:
    """Account and ID numbers typed as numbers lose digits in Excel: refuse them rather than guess."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        errors.add(field_name, _("请将该列设为文本格式后重新填写（Excel 会把长数字改掉）"), "not_text", number)
        return ""
    return _text(value)


def _fact_value(name: str, value: Any, scheme: str) -> Any:
    """A cell as the declared-facts reader expects it: choice labels become codes, 是/否 booleans."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    for fact in FACTS.get(scheme, ()):
        if fact.name != name:
            continue
        if fact.kind == "choice":
            text = _text(value)
            for code, label in fact.choices:
                if text in (code, str(label)):
                    return code
            return text
        if fact.kind == "bool":
            text = _text(value).lower()
            return True if text in YES else False if text in NO else text
    return value


def _row_input(
    number: int, row: dict[str, Any], *, actor: AnyUser, key_prefix: str, errors: ErrorCollector
) -> ApplicationInput:
    cells = {key: row.get(str(header), "") for header, key in BASE_COLUMNS}
    scheme = _scheme(cells["scheme"])
    elder_id = organisation_id = None
    national_id = _digits_cell(cells["elder_national_id"], "elder_national_id", number, errors)
    if national_id:
        elder = elders_in_reach(user=actor).filter(national_id_exact_q(national_id.upper())).first()
        if elder is None:
            errors.add("elder_national_id", _("辖区内没有该身份证号的老年人"), "not_found", number)
        else:
            elder_id = elder.public_id
    credit_code = _text(cells["organisation_credit_code"]).upper()
    if credit_code:
        organisation = organisations_in_reach(user=actor).filter(credit_code=credit_code).first()
        if organisation is None:
            errors.add("organisation_credit_code", _("辖区内没有该统一社会信用代码的机构"), "not_found", number)
        else:
            organisation_id = organisation.public_id
    requested = cells["requested_from"]
    requested_from: date | None = None
    if isinstance(requested, datetime):
        requested_from = requested.date()
    elif _text(requested):
        try:
            requested_from = date.fromisoformat(_text(requested))
        except ValueError:
            errors.add("requested_from", _("应为日期 YYYY-MM-DD"), "invalid", number)
    facts = {
        name: _fact_value(name, row.get(str(header), ""), scheme)
        for name, header in FACT_HEADERS.items()
        if _text(row.get(str(header), "")) != ""
    }
    return ApplicationInput(
        scheme=scheme,
        requested_from=requested_from,
        payee_name=_text(cells["payee_name"]),
        payee_account=_digits_cell(cells["payee_account"], "payee_account", number, errors),
        payee_bank=_text(cells["payee_bank"]),
        elder=elder_id,
        organisation=organisation_id,
        worker_name=_text(cells["worker_name"]),
        worker_national_id=_digits_cell(cells["worker_national_id"], "worker_national_id", number, errors),
        facts=facts,
        channel=Channel.IMPORT,
        idempotency_key=f"{key_prefix}:{number}",
    )


def application_import(*, actor: AnyUser, file: IO[bytes]) -> ApplicationImportResult:
    """Submit one application per row of the workbook (columns: `import_headers()`), or none.

    Guarantees: the actor holds `benefits.apply`; every row is checked like a single submission and
    every problem of every row is reported at once with its Excel row number and field; if any row is
    wrong nothing is written (no application, no audit event). The same file imported again creates
    nothing new: its rows' applications are returned as already imported.
    """
    require_perm(actor, Perm.BENEFITS_APPLY)
    content = file.read()
    file.seek(0)
    headers, lines = read_rows(file, max_rows=IMPORT_MAX_ROWS)
    missing = [str(h) for h, _key in BASE_COLUMNS if str(h) not in headers]
    if missing:
        raise ValidationFailed(
            _("表头有误，未导入任何数据"),
            errors=[FieldError("file", _("缺少列“%(header)s”") % {"header": h}, "missing_column", 1) for h in missing],
        )
    if not lines:
        raise ValidationFailed.single("file", _("文件中没有数据行"), "empty")
    key_prefix = "import:" + hashlib.sha256(content).hexdigest()[:40]
    already = set(
        Application.objects.filter(applicant_id=actor.pk, idempotency_key__startswith=key_prefix).values_list(
            "idempotency_key", flat=True
        )
    )
    errors = ErrorCollector()
    created = 0
    with transaction.atomic():
        for number, row in lines:
            mark = len(errors.errors)
            data = _row_input(number, row, actor=actor, key_prefix=key_prefix, errors=errors)
            if len(errors.errors) > mark:
                continue
            try:
                with transaction.atomic():
                    application_submit(actor=actor, data=data)
            except ValidationFailed as refused:
                errors.errors.extend(FieldError(e.field, e.reason, e.code, number) for e in refused.errors)
                continue
            if data.idempotency_key not in already:
                created += 1
        count = len(errors.errors)
        errors.raise_if_any(
            ngettext("申请表有%(count)s处错误，未导入任何数据", "申请表有%(count)s处错误，未导入任何数据", count)
            % {"count": count}
        )
    return ApplicationImportResult(created=created, already_imported=len(lines) - created)


def import_template_download() -> FileResponse:
    """The template: the header row and one example row for an elder, an institution and a worker."""
    headers = import_headers()
    examples: list[dict[str, object]] = [
        {"scheme": str(Scheme.RESIDENT_CARE.label), "elder_national_id": "350206195003150011"},
        {
            "scheme": str(Scheme.STARTUP.label),
            "organisation_credit_code": "52350206MJ0000001X",
            "approved_beds": 60,
            "premises": str(dict(PREMISES)["rented"]),
            "lease_years": 8,
        },
        {
            "scheme": str(Scheme.CARE_WORKER_SERVICE.label),
            "organisation_credit_code": "52350206MJ0000001X",
            "worker_name": "李护理",
            "worker_national_id": "350206198005010010",
            "years_of_service": 11,
            "lower_award_paid": _("否"),
        },
    ]
    keys = [key for _h, key in BASE_COLUMNS] + list(FACT_HEADERS)
    payee: dict[str, object] = {
        "requested_from": "2026-12-01",
        "payee_name": "王某",
        "payee_account": "6222020000000001",
        "payee_bank": "工商银行",
    }
    rows = [[{**payee, **example}.get(key, "") for key in keys] for example in examples]
    return workbook_response(
        filename="补贴申请导入模板.xlsx", sheet_title="补贴申请", headers=headers, rows=rows, as_text=True
    )
