"""Excel roster import (all rows or none) and masked list export."""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yiyang.accounts.access import AnyUser, require_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.areas.selectors import communities_in_reach
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector, ValidationFailed
from yiyang.core.excel import read_rows
from yiyang.core.text import normalise_name
from yiyang.elders.models import Elder, EmergencyContact
from yiyang.elders.roster import (
    COLUMNS,
    EXPORT_FIELDS,
    EXPORT_HEADERS,
    NUMERIC_ID_REASON,
    RosterRow,
    roster_export_rows,
    roster_headers_check,
    roster_row_read,
)
from yiyang.elders.selectors import ElderFilters, elder_list, national_id_hash_field
from yiyang.elders.services.registry import ContactInput, ElderInput, check_elder_input, elder_build

IMPORT_MAX_ROWS = 50_000  # the default of YIYANG_MAX_WORKBOOK_ROWS (yiyang.core.limits), which governs
IMPORT_BATCH_SIZE = 500
EXPORT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class ImportResult:
    created: int


def _community_resolver(actor: AnyUser) -> Callable[[str, int, ErrorCollector], Area | None]:
    """Find a roster's community by 12-digit code or by name, among the communities in reach only."""
    by_code: dict[str, Area] = {}
    by_name: dict[str, list[Area]] = defaultdict(list)
    for area in communities_in_reach(user=actor):
        by_code[area.code] = area
        by_name[area.name].append(area)

    def resolve(key: str, row: int, errors: ErrorCollector) -> Area | None:
        if not key:
            return None  # check_elder_input reports the empty cell
        found = [by_code[key]] if key in by_code else by_name.get(key, [])
        if len(found) == 1:
            return found[0]
        if found:
            errors.add(
                "community", _("辖区内有多个名为“%(name)s”的社区，请填写12位区划代码") % {"name": key}, "ambiguous", row
            )
        else:
            errors.add("community", _("社区“%(name)s”不存在或不在您的辖区内") % {"name": key}, "not_found", row)
        return None

    return resolve


def _roster_input(row: RosterRow, community: Area | None) -> ElderInput:
    contacts = (
        [ContactInput(name=row.contact_name, relation=row.contact_relation, phone=row.contact_phone)]
        if row.has_contact
        else []
    )
    return ElderInput(
        name=row.name,
        national_id=row.national_id,
        community=community,
        phone=row.phone,
        birth_date=row.birth_date,
        sex=row.sex,
        household_registration=row.household_registration,
        economic_status=row.economic_status,
        special_statuses=row.special_statuses,
        living_arrangement=row.living_arrangement,
        monitoring_consent=row.monitoring_consent,
        notes=row.notes,
        emergency_contacts=contacts,
    )


@transaction.atomic
def elder_roster_import(*, actor: AnyUser, file: IO[bytes]) -> ImportResult:
    """Register every elder of an Excel roster (columns: `yiyang.elders.roster.COLUMNS`), or none.

    Guarantees: the actor holds `elders.import`; every row is checked like a single registration
    (`check_elder_input`) and its community must be in the actor's reach; an ID may appear once in
    the file and must not be registered yet. If anything is wrong, ValidationFailed lists every
    problem with its Excel row number and nothing is written. Otherwise all elders and their
    contacts are created in one transaction, in batches, with one audit event for the import.
    """
    require_perm(actor, Perm.ELDERS_IMPORT)
    headers, lines = read_rows(file)  # the workbook limits of yiyang.core.limits apply
    if header_problems := roster_headers_check(headers):
        raise ValidationFailed(_("花名册表头有误，未导入任何数据"), errors=header_problems)
    if not lines:
        raise ValidationFailed.single("file", _("文件中没有数据行"), "empty")
    errors = ErrorCollector()
    resolve_community = _community_resolver(actor)
    today = timezone.localdate()
    first_row_of: dict[str, int] = {}
    accepted: list[tuple[ElderInput, str]] = []
    for number, values in lines:
        row = roster_row_read(number, values, errors=errors)
        data = _roster_input(row, resolve_community(row.community, number, errors))
        mark = len(errors.errors)
        national_id = check_elder_input(data, errors=errors, row=number, today=today, check_duplicate=False)
        if national_id is None and row.national_id_was_number:
            # The digits Excel kept are not the ID; say why instead of "wrong check digit".
            errors.drop("national_id", since=mark)
            errors.add("national_id", _(NUMERIC_ID_REASON), "not_text", number)
        if national_id is None:
            continue
        if national_id in first_row_of:
            errors.add(
                "national_id",
                _("与第%(row)s行的身份证号重复") % {"row": first_row_of[national_id]},
                "duplicate_in_file",
                number,
            )
            continue
        first_row_of[national_id] = number
        accepted.append((data, national_id))
    # Registered IDs are found by their keyed hash (the national ID is stored encrypted).
    hash_field = national_id_hash_field()
    id_of_token = {token: nid for nid in first_row_of for token in hash_field.search_tokens(nid)}
    tokens = list(id_of_token)
    for start in range(0, len(tokens), IMPORT_BATCH_SIZE):
        batch = tokens[start : start + IMPORT_BATCH_SIZE]
        for registered in Elder.objects.filter(national_id_hash__in=batch).values_list("national_id_hash", flat=True):
            errors.add("national_id", _("该身份证号已登记"), "duplicate", first_row_of[id_of_token[registered]])
    errors.errors.sort(key=lambda e: e.row or 0)
    count = len(errors.errors)
    errors.raise_if_any(
        ngettext("花名册有%(count)s处错误，未导入任何数据", "花名册有%(count)s处错误，未导入任何数据", count)
        % {"count": count}
    )

    elders = [elder_build(data, national_id=national_id) for data, national_id in accepted]
    try:
        with transaction.atomic():
            for start in range(0, len(elders), IMPORT_BATCH_SIZE):
                Elder.objects.bulk_create(elders[start : start + IMPORT_BATCH_SIZE])
            if any(e.pk is None for e in elders):  # databases that do not return ids from bulk inserts
                pks = dict(Elder.objects.filter(national_id_hash__in=tokens).values_list("national_id_hash", "pk"))
                for elder in elders:
                    elder.pk = pks[elder.national_id_hash]
            EmergencyContact.objects.bulk_create(
                (
                    EmergencyContact(
                        elder=elder,
                        name=normalise_name(c.name),
                        relation=c.relation.strip(),
                        phone=c.phone.strip(),
                        priority=index + 1,
                        is_key_holder=c.is_key_holder,
                    )
                    for elder, (data, _national_id) in zip(elders, accepted, strict=True)
                    for index, c in enumerate(data.emergency_contacts)
                ),
                batch_size=IMPORT_BATCH_SIZE,
            )
    except IntegrityError:
        # Someone registered one of these IDs between the check and the insert.
        raise ValidationFailed.single("national_id", _("导入期间有身份证号已被登记，请重新导入"), "duplicate") from None
    districts = {e.district_id for e in elders}
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        entity_type="elder",
        summary=f"导入老年人花名册：新增{len(elders)}人",
        fields=[c.field.split("[")[0] for c in COLUMNS],
        district=districts.pop() if len(districts) == 1 else scope_for(actor).district_id,
    )
    return ImportResult(created=len(elders))


@dataclass(frozen=True)
class ElderExport:
    """An export ready to write: `rows` is consumed once; `total` is before the cap."""

    headers: list[str]
    rows: Iterator[list[Any]]
    total: int
    exported: int

    @property
    def truncated(self) -> bool:
        return self.total > self.exported


def _filters_described(filters: ElderFilters) -> str:
    """The filters of an export for the audit log: areas by code, a search only as "used"."""
    parts: list[str] = []
    if filters.q:
        parts.append("按姓名/身份证号/电话搜索（内容不记录）")
    for label, key in (("街道", filters.street), ("社区", filters.community)):
        if key:
            code = Area.objects.filter(public_id=key).values_list("code", flat=True).first()
            parts.append(f"{label}={code or key}")
    if filters.age_band:
        parts.append(f"年龄段={filters.age_band}")
    if filters.economic_status:
        parts.append(f"经济状况={filters.economic_status}")
    if filters.living_alone is not None:
        parts.append(f"独居={'是' if filters.living_alone else '否'}")
    if filters.status:
        parts.append(f"状态={filters.status}")
    return "，".join(parts) or "无"


def elder_export(*, actor: AnyUser, filters: ElderFilters) -> ElderExport:
    """The elder list in reach with `filters`, as export rows (national ID and phone masked).

    Raises Forbidden without `elders.export`. At most EXPORT_MAX_ROWS rows; beyond that a last
    line says the export was cut. Audits the export: row count and filters, never personal values.
    """
    require_perm(actor, Perm.ELDERS_EXPORT)
    qs = elder_list(user=actor, filters=filters)
    total = qs.count()
    exported = min(total, EXPORT_MAX_ROWS)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        entity_type="elder",
        summary=f"导出老年人列表{exported}行（符合条件共{total}行）；筛选：{_filters_described(filters)}",
        fields=EXPORT_FIELDS,
        district=scope_for(actor).district_id,
    )
    rows = roster_export_rows(
        qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000), today=timezone.localdate(), total=total, limit=EXPORT_MAX_ROWS
    )
    return ElderExport(headers=EXPORT_HEADERS, rows=rows, total=total, exported=exported)
