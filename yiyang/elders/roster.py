"""The Excel roster (花名册): its columns, the Chinese labels in its cells, the import template and
the rows of an export.

This module knows the file format only. What a row *means* (valid ID, community in reach,
duplicates) is decided by `yiyang.elders.services.elder_roster_import`; labels it does not know
are passed through unchanged so that the service names them in its error.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yiyang.accounts.disclosure import LEAVES_SYSTEM
from yiyang.core.errors import ErrorCollector, FieldError
from yiyang.core.excel import Sheet, workbook_response
from yiyang.core.limits import excerpt
from yiyang.core.national_id import make_national_id
from yiyang.elders.choices import (
    EconomicStatus,
    ElderStatus,
    HouseholdRegistration,
    LivingArrangement,
    Sex,
    SpecialStatus,
)
from yiyang.elders.models import Elder
from yiyang.elders.selectors import age_on


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # the field name errors are reported on
    required: bool = False
    note: str = ""


# The file's own vocabulary: fixed Chinese labels, independent of the language of the interface.
HOUSEHOLD_LABELS: dict[str, str] = {HouseholdRegistration.REGISTERED: "户籍", HouseholdRegistration.RESIDENT: "常住"}
ECONOMIC_LABELS: dict[str, str] = {
    EconomicStatus.DIBAO: "低保",
    EconomicStatus.TEKUN: "特困",
    EconomicStatus.LOW_INCOME: "低收入",
    EconomicStatus.ORDINARY: "普通",
}
LIVING_LABELS: dict[str, str] = {
    LivingArrangement.ALONE: "独居",
    LivingArrangement.EMPTY_NEST: "空巢",
    LivingArrangement.WITH_FAMILY: "与子女同住",
    LivingArrangement.IN_INSTITUTION: "入住机构",
    LivingArrangement.OTHER: "其他",
}
SPECIAL_LABELS: dict[str, str] = {
    SpecialStatus.ORPHANED_ELDER: "孤老",
    SpecialStatus.LOST_ONLY_CHILD: "失独",
    SpecialStatus.FAMILY_PLANNING_SPECIAL: "计划生育特殊家庭",
    SpecialStatus.DISABLED: "残疾",
    SpecialStatus.VETERAN: "优抚对象",
    SpecialStatus.CENTENARIAN: "百岁老人",
}
SEX_LABELS: dict[str, str] = {Sex.MALE: "男", Sex.FEMALE: "女"}
STATUS_LABELS: dict[str, str] = {
    ElderStatus.ACTIVE: "在册",
    ElderStatus.MOVED_OUT: "迁出",
    ElderStatus.DECEASED: "去世",
}
YES, NO = "是", "否"
SPECIAL_SEPARATORS = ("，", ",", "；", ";", "/", " ")


def _reading(labels: dict[str, str], aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Cell text -> stored value: the label, the stored value itself, and any aliases."""
    found = {label: str(value) for value, label in labels.items()}
    found.update({str(value): str(value) for value in labels})
    found.update({alias: str(value) for alias, value in (aliases or {}).items()})
    return found


HOUSEHOLD_READ = _reading(
    HOUSEHOLD_LABELS, {"常住（非户籍）": HouseholdRegistration.RESIDENT, "非户籍": HouseholdRegistration.RESIDENT}
)
ECONOMIC_READ = _reading(ECONOMIC_LABELS)
LIVING_READ = _reading(
    LIVING_LABELS,
    {
        "空巢（仅与配偶同住）": LivingArrangement.EMPTY_NEST,
        "与子女/亲属同住": LivingArrangement.WITH_FAMILY,
        "与亲属同住": LivingArrangement.WITH_FAMILY,
    },
)
SPECIAL_READ = _reading(SPECIAL_LABELS)
SEX_READ = _reading(SEX_LABELS)

COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", required=True),
    Column("身份证号", "national_id", required=True, note="18位，末位可为X；请以文本格式填写"),
    Column("手机号", "phone", note="手机号11位，或座机如0592-1234567"),
    Column("社区", "community", required=True, note="社区名称或12位区划代码，须在您的辖区内"),
    Column("户籍类型", "household_registration", note="户籍 / 常住；空白为户籍"),
    Column("经济状况", "economic_status", note="低保 / 特困 / 低收入 / 普通；空白为普通"),
    Column("居住状况", "living_arrangement", note="独居 / 空巢 / 与子女同住 / 入住机构 / 其他；空白为与子女同住"),
    Column("特殊身份", "special_statuses", note="可多个，用“、”分隔：" + "、".join(SPECIAL_LABELS.values())),
    Column("出生日期", "birth_date", note="可选；如1950-03-15，须与身份证号一致"),
    Column("性别", "sex", note="可选；男 / 女，须与身份证号一致"),
    Column("紧急联系人", "emergency_contacts[0].name", note="可选；填写时须同时填写关系和电话"),
    Column("联系人关系", "emergency_contacts[0].relation"),
    Column("联系人电话", "emergency_contacts[0].phone"),
    Column("同意监测", "monitoring_consent", note="是 / 否；空白为否"),
    Column("备注", "notes"),
)
HEADERS = [c.header for c in COLUMNS]
REQUIRED_HEADERS = [c.header for c in COLUMNS if c.required]
# Column header of each field, for showing an error next to the column the user typed into.
HEADER_OF_FIELD = {c.field: c.header for c in COLUMNS}
# Marked only: the importer translates it when it reports it.
NUMERIC_ID_REASON = gettext_noop("身份证号应以文本格式填写（Excel把它存成了数字，末几位已丢失）")


@dataclass
class RosterRow:
    """What one line of the file says, labels already turned into stored values where known."""

    number: int
    name: str = ""
    national_id: str = ""
    national_id_was_number: bool = False
    phone: str = ""
    community: str = ""
    household_registration: str = HouseholdRegistration.REGISTERED
    economic_status: str = EconomicStatus.ORDINARY
    living_arrangement: str = LivingArrangement.WITH_FAMILY
    special_statuses: list[str] = field(default_factory=list)
    birth_date: date | None = None
    sex: str = ""
    contact_name: str = ""
    contact_relation: str = ""
    contact_phone: str = ""
    monitoring_consent: bool = False
    notes: str = ""

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_relation or self.contact_phone)


def roster_headers_check(headers: list[str]) -> list[FieldError]:
    """Errors (row 1, field "header") for headers the roster does not know and required ones missing."""
    problems: list[FieldError] = []
    for header in headers:
        if header and header not in HEADERS:
            reason = _("未知的列“%(header)s”；可用的列：%(headers)s") % {
                "header": excerpt(header),
                "headers": "、".join(HEADERS),
            }
            problems.append(FieldError("header", reason, "unknown_column", 1))
    for header in REQUIRED_HEADERS:
        if header not in headers:
            problems.append(FieldError("header", _("缺少必填列“%(header)s”") % {"header": header}, "missing_column", 1))
    return problems


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> date | None:
    """A date from a date cell or text like 1950-03-15, 1950/3/15, 1950.3.15, 19500315 or 1950年3月15日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValueError(text)


def roster_row_read(number: int, values: dict[str, Any], *, errors: ErrorCollector) -> RosterRow:
    """Turn one line (`{header: value}` from `read_rows`) into a RosterRow.

    Cells it cannot read at all (a date that is not a date, 性别 other than 男/女, 同意监测 other
    than 是/否) are added to `errors` with the row number; unknown choice labels are kept as typed.
    """
    row = RosterRow(number=number)

    def cell(header: str) -> str:
        return _text(values.get(header, ""))

    row.name = cell("姓名")
    raw_id = values.get("身份证号", "")
    row.national_id_was_number = isinstance(raw_id, int | float) and not isinstance(raw_id, bool)
    row.national_id = cell("身份证号")
    row.phone = cell("手机号")
    row.community = cell("社区")
    if text := cell("户籍类型"):
        row.household_registration = HOUSEHOLD_READ.get(text, text)
    if text := cell("经济状况"):
        row.economic_status = ECONOMIC_READ.get(text, text)
    if text := cell("居住状况"):
        row.living_arrangement = LIVING_READ.get(text, text)
    if text := cell("特殊身份"):
        for separator in SPECIAL_SEPARATORS:
            text = text.replace(separator, "、")
        row.special_statuses = [SPECIAL_READ.get(part, part) for part in text.split("、") if part]
    if values.get("出生日期", "") != "":
        try:
            row.birth_date = _date(values["出生日期"])
        except ValueError:
            errors.add("birth_date", _("出生日期格式应为YYYY-MM-DD，如1950-03-15"), "invalid_date", number)
    if text := cell("性别"):
        if text in SEX_READ:
            row.sex = SEX_READ[text]
        else:
            reason = _("性别应为“%(male)s”或“%(female)s”，实为“%(value)s”") % {
                "male": SEX_LABELS[Sex.MALE],
                "female": SEX_LABELS[Sex.FEMALE],
                "value": text,
            }
            errors.add("sex", reason, "invalid_choice", number)
    row.contact_name = cell("紧急联系人")
    row.contact_relation = cell("联系人关系")
    row.contact_phone = cell("联系人电话")
    if text := cell("同意监测"):
        if text in (YES, NO):
            row.monitoring_consent = text == YES
        else:
            reason = _("同意监测应为“%(yes)s”或“%(no)s”，实为“%(value)s”") % {"yes": YES, "no": NO, "value": text}
            errors.add("monitoring_consent", reason, "invalid_choice", number)
    row.notes = cell("备注")
    return row


def roster_template_rows() -> list[list[str]]:
    """One synthetic example line (a valid but made-up ID; its community does not exist, so an
    example left in the file is refused rather than imported)."""
    return [
        [
            "张三（示例）",
            make_national_id("350206", date(1950, 3, 15), 1),
            "13900001234",
            "示例社区",
            "户籍",
            "低保",
            "独居",
            "孤老、残疾",
            "1950-03-15",
            "男",
            "张小明",
            "儿子",
            "13900005678",
            YES,
            "示例行，导入前请删除",
        ]
    ]


def roster_template_notes() -> list[list[str]]:
    """The instructions sheet of the template: one line per column."""
    return [[c.header, "是" if c.required else "否", c.note] for c in COLUMNS]


EXPORT_HEADERS = [
    "姓名", "性别", "年龄", "身份证号（脱敏）", "手机号（脱敏）", "街道", "社区", "户籍类型", "经济状况",
    "居住状况", "特殊身份", "同意监测", "状态",
]  # fmt: skip
# Names of what an export holds, for the audit log (names only, never values).
EXPORT_FIELDS = [
    "name", "sex", "age", "national_id_masked", "phone_masked", "street", "community",
    "household_registration", "economic_status", "living_arrangement", "special_statuses",
    "monitoring_consent", "status",
]  # fmt: skip


def roster_export_row(elder: Elder, *, today: date) -> list[Any]:
    """One line of an export; national ID and phone masked for everyone (`LEAVES_SYSTEM`): the file
    leaves the system, where no audit follows it, so it carries no more than a list row."""
    return [
        elder.name,
        SEX_LABELS.get(elder.sex, elder.sex),
        age_on(elder.birth_date, today),
        LEAVES_SYSTEM.national_id(elder.national_id),
        LEAVES_SYSTEM.phone(elder.phone),
        elder.street.name,
        elder.community.name,
        HOUSEHOLD_LABELS.get(elder.household_registration, elder.household_registration),
        ECONOMIC_LABELS.get(elder.economic_status, elder.economic_status),
        LIVING_LABELS.get(elder.living_arrangement, elder.living_arrangement),
        "、".join(SPECIAL_LABELS.get(s, s) for s in elder.special_statuses),
        YES if elder.monitoring_consent else NO,
        STATUS_LABELS.get(elder.status, elder.status),
    ]


def roster_export_rows(elders: Iterable[Elder], *, today: date, total: int, limit: int) -> Iterator[list[Any]]:
    """Export lines for `elders`, then a closing note when `total` exceeded `limit`."""
    for elder in elders:
        yield roster_export_row(elder, today=today)
    if total > limit:
        yield [f"（已截断：共{total}行，仅导出前{limit}行；请缩小筛选范围后分批导出）"]


def roster_export_filename(today: date) -> str:
    return f"老年人名单-{today:%Y%m%d}.xlsx"


def roster_template_download() -> FileResponse:
    """The import template: the headers, one example line, and a sheet explaining each column."""
    return workbook_response(
        filename="老年人花名册导入模板.xlsx",
        sheet_title="老年人花名册",
        headers=HEADERS,
        rows=roster_template_rows(),
        as_text=True,
        more_sheets=[Sheet("填写说明", ["列", "必填", "说明"], roster_template_notes(), widths=(14, 8, 70))],
    )
