"""Registering and changing organisations, and their list export. Each service checks the named
permission and that its target is in reach, validates every field at once, writes in one transaction
and audits the names of what changed, never personal values."""

from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, require_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.areas.selectors import areas_in_reach
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector, NotFound, ValidationFailed
from yiyang.core.text import check_name, normalise_name
from yiyang.elders.services import phone_problem
from yiyang.organisations.choices import (
    BED_KINDS,
    HospitalGrade,
    OrganisationKind,
    OrganisationStatus,
    Ownership,
)
from yiyang.organisations.credit_code import credit_code_problem
from yiyang.organisations.errors import OrganisationNotFound
from yiyang.organisations.models import Organisation
from yiyang.organisations.selectors import (
    BedCounts,
    OrganisationFilters,
    organisation_list,
    organisations_in_reach,
)

# Kinds that must show a licence (许可证/执业许可证) or, where the rules allow it, a filing number.
LICENCE_REQUIRED_KINDS = frozenset({OrganisationKind.HOSPITAL, OrganisationKind.HEALTH_CENTRE})
LICENCE_OR_FILING_KINDS = frozenset({OrganisationKind.INSTITUTION, OrganisationKind.CLINIC})
# Latitude and longitude of mainland China and its islands; a swapped pair falls outside.
LATITUDE_RANGE = (Decimal(3), Decimal(54))
LONGITUDE_RANGE = (Decimal(73), Decimal(136))


@dataclass
class OrganisationInput:
    """Everything needed to register an organisation; the area already resolved."""

    kind: str
    name: str
    area: Area | None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    licence_number: str = ""
    filing_number: str = ""
    credit_code: str = ""
    ownership: str = ""
    is_integrated_care: bool = False
    hospital_grade: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    status: str = OrganisationStatus.OPEN


EDITABLE_FIELDS = frozenset(f.name for f in fields(OrganisationInput))
_TEXT_FIELDS = (
    "name", "address", "licence_number", "filing_number", "credit_code", "contact_name", "contact_phone",
)  # fmt: skip


def _max_length(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def _normalise(data: OrganisationInput) -> OrganisationInput:
    for name in _TEXT_FIELDS:
        setattr(data, name, (getattr(data, name) or "").strip())
    data.name, data.contact_name = normalise_name(data.name), normalise_name(data.contact_name)
    data.credit_code = data.credit_code.upper()
    return data


def _area_in_reach(actor: AnyUser, area: Area | None, errors: ErrorCollector) -> bool:
    """False (and an error on `area`) when the area is given but outside the actor's reach."""
    if area is not None and not areas_in_reach(user=actor).filter(pk=area.pk).exists():
        errors.add("area", _("区域不存在或不在您的辖区内"), "not_found")
        return False
    return True


def _require_in_reach(actor: AnyUser, organisation: Organisation, error: type[NotFound]) -> None:
    if not organisations_in_reach(user=actor).filter(pk=organisation.pk).exists():
        raise error


def check_organisation_input(
    data: OrganisationInput,
    *,
    errors: ErrorCollector,
    existing: Organisation | None = None,
    check_area: bool = True,
) -> None:
    """Validate `data` (already normalised) into `errors`.

    Checks every choice; the area level for the kind (a care centre sits at a street, every other
    kind at a community); a hospital grade for hospitals only; the licence or filing number each
    kind needs; the credit code's check character; the phone format; coordinates in China given as
    a pair; lengths; and a name unique among organisations of its kind in the district. For an
    `existing` organisation also: it keeps a bed-keeping kind while it has beds, and it is not
    closed while residents stay.
    """
    kind_valid = data.kind in OrganisationKind.values
    if not kind_valid:
        errors.add("kind", _("“%(value)s”不是可选的机构类型") % {"value": data.kind}, "invalid_choice")
    if not data.name:
        errors.add("name", _("名称不能为空"), "required")
    else:
        check_name(errors, "name", data.name, label=_("名称"))
    if data.contact_name:
        check_name(errors, "contact_name", data.contact_name, label=_("联系人"))
    for name in _TEXT_FIELDS:
        limit = _max_length(Organisation, name)
        if len(getattr(data, name)) > limit:
            errors.add(name, _("不能超过%(limit)s个字符") % {"limit": limit}, "max_length")
    if data.area is None:
        if check_area:
            errors.add("area", _("所在区域不能为空"), "required")
    elif kind_valid and check_area:
        wanted = AreaLevel.STREET if data.kind == OrganisationKind.CARE_CENTRE else AreaLevel.COMMUNITY
        if data.area.level != wanted:
            reason = _("照料中心应设在街道一级") if wanted == AreaLevel.STREET else _("该类机构应设在社区一级")
            errors.add("area", reason, "invalid_level")
    if data.kind == OrganisationKind.HOSPITAL:
        if not data.hospital_grade:
            errors.add("hospital_grade", _("医院应填写等级（未定级请选“未定级”）"), "required")
        elif data.hospital_grade not in HospitalGrade.values:
            errors.add(
                "hospital_grade", _("“%(value)s”不是可选的医院等级") % {"value": data.hospital_grade}, "invalid_choice"
            )
    elif data.hospital_grade:
        errors.add("hospital_grade", _("只有医院可以填写医院等级"), "not_applicable")
    if data.kind in LICENCE_REQUIRED_KINDS and not data.licence_number:
        errors.add("licence_number", _("医疗机构应填写执业许可证登记号"), "required")
    if data.kind in LICENCE_OR_FILING_KINDS and not (data.licence_number or data.filing_number):
        errors.add("filing_number", _("应填写许可证号或备案号（至少一项）"), "required")
    if data.ownership and data.ownership not in Ownership.values:
        errors.add("ownership", _("“%(value)s”不是可选的机构性质") % {"value": data.ownership}, "invalid_choice")
    if data.status not in OrganisationStatus.values:
        errors.add("status", _("“%(value)s”不是可选的状态") % {"value": data.status}, "invalid_choice")
    if problem := credit_code_problem(data.credit_code):
        errors.add("credit_code", problem)
    if problem := phone_problem(data.contact_phone):
        errors.add("contact_phone", problem)
    _check_coordinates(data, errors)
    if kind_valid and data.name and data.area is not None:
        duplicate = Organisation.objects.filter(
            kind=data.kind, name=data.name, district_id=data.area.district_id or data.area.pk
        )
        if existing is not None:
            duplicate = duplicate.exclude(pk=existing.pk)
        if duplicate.exists():
            errors.add("name", _("本区已有同类型同名机构"), "duplicate")
    if existing is not None:
        if kind_valid and data.kind not in BED_KINDS and existing.beds.exists():
            errors.add("kind", _("该机构已有床位，不能改为不设床位的类型"), "has_beds")
        if data.status == OrganisationStatus.CLOSED and existing.admissions.filter(discharged_on__isnull=True).exists():
            errors.add("status", _("仍有老人入住，办理离院后才能关闭机构"), "has_open_admissions")


def _check_coordinates(data: OrganisationInput, errors: ErrorCollector) -> None:
    if (data.latitude is None) != (data.longitude is None):
        missing = "latitude" if data.latitude is None else "longitude"
        errors.add(missing, _("经纬度应同时填写"), "required")
    if data.latitude is not None and not LATITUDE_RANGE[0] <= data.latitude <= LATITUDE_RANGE[1]:
        errors.add("latitude", _("纬度不在中国境内（3–54），是否与经度填反了？"), "out_of_range")
    if data.longitude is not None and not LONGITUDE_RANGE[0] <= data.longitude <= LONGITUDE_RANGE[1]:
        errors.add("longitude", _("经度不在中国境内（73–136），是否与纬度填反了？"), "out_of_range")


def organisation_build(data: OrganisationInput) -> Organisation:
    """An unsaved Organisation from validated input, with street and district derived from the area."""
    area = data.area
    assert area is not None
    street_id = area.pk if area.level == AreaLevel.STREET else area.street_id
    assert street_id is not None and area.district_id is not None, "checked: a street or a community"
    return Organisation(
        kind=data.kind,
        name=data.name,
        area=area,
        street_id=street_id,
        district_id=area.district_id,
        address=data.address,
        latitude=data.latitude,
        longitude=data.longitude,
        licence_number=data.licence_number,
        filing_number=data.filing_number,
        credit_code=data.credit_code,
        ownership=data.ownership,
        is_integrated_care=data.is_integrated_care,
        hospital_grade=data.hospital_grade,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        status=data.status,
    )


@transaction.atomic
def organisation_create(
    *, actor: AnyUser, data: OrganisationInput, pre_errors: ErrorCollector | None = None
) -> Organisation:
    """Register an organisation.

    Guarantees: the actor holds `organisations.change` and the area is in their reach; street and
    district are the area's; every rule of `check_organisation_input` holds; every problem is
    reported at once as ValidationFailed (with any `pre_errors` the caller found resolving
    references) and nothing is written; the creation is audited.
    """
    require_perm(actor, Perm.ORGS_CHANGE)
    errors = pre_errors or ErrorCollector()
    data = _normalise(data)
    area_ok = _area_in_reach(actor, data.area, errors)
    already_bad_area = any(e.field == "area" for e in errors.errors)
    check_organisation_input(data, errors=errors, check_area=area_ok and not already_bad_area)
    errors.raise_if_any(_("机构信息有误"))
    organisation = organisation_build(data)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        raise ValidationFailed.single("name", _("本区已有同类型同名机构"), "duplicate") from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="organisation",
        entity_id=str(organisation.public_id),
        summary="登记机构",
        fields=[f for f in EDITABLE_FIELDS if getattr(data, f) not in ("", None, False)],
        district=organisation.district_id,
    )
    return organisation


def _input_from(organisation: Organisation) -> OrganisationInput:
    return OrganisationInput(**{name: getattr(organisation, name) for name in EDITABLE_FIELDS})


_COMPARED = (
    "kind", "name", "area_id", "street_id", "district_id", "address", "latitude", "longitude",
    "licence_number", "filing_number", "credit_code", "ownership", "is_integrated_care", "hospital_grade",
    "contact_name", "contact_phone", "status",
)  # fmt: skip


@transaction.atomic
def organisation_update(
    *,
    actor: AnyUser,
    organisation: Organisation,
    changes: dict[str, Any],
    pre_errors: ErrorCollector | None = None,
) -> Organisation:
    """Change some fields of an organisation in the actor's reach.

    Guarantees: the actor holds `organisations.change`; keys are fields of OrganisationInput
    (others are errors); a new area must be in reach and re-derives street and district; the whole
    resulting record obeys `check_organisation_input`; all problems (with any `pre_errors` the
    caller found reading its input) are reported at once and nothing is written; a no-op writes
    nothing; the names of changed fields are audited.
    """
    require_perm(actor, Perm.ORGS_CHANGE)
    _require_in_reach(actor, organisation, OrganisationNotFound)
    unknown = ErrorCollector()
    for key in changes:
        if key not in EDITABLE_FIELDS:
            unknown.add(key, _("该字段不存在或不可修改"), "unknown_field")
    unknown.raise_if_any(_("机构信息有误"))
    errors = pre_errors or ErrorCollector()
    data = _input_from(organisation)
    for key, value in changes.items():
        setattr(data, key, value)
    data = _normalise(data)
    area_ok = "area" not in changes or _area_in_reach(actor, data.area, errors)
    check_organisation_input(data, errors=errors, existing=organisation, check_area=area_ok)
    errors.raise_if_any(_("机构信息有误"))
    updated = organisation_build(data)
    changed: list[str] = []
    for name in _COMPARED:
        new = getattr(updated, name)
        if getattr(organisation, name) != new:
            setattr(organisation, name, new)
            changed.append(name)
    if not changed:
        return organisation
    try:
        with transaction.atomic():
            organisation.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        raise ValidationFailed.single("name", _("本区已有同类型同名机构"), "duplicate") from None
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="organisation",
        entity_id=str(organisation.public_id),
        summary="修改机构信息",
        fields=[name.removesuffix("_id") for name in changed],
        district=organisation.district_id,
    )
    return organisation


def organisation_refs_resolve(raw: dict[str, Any], *, errors: ErrorCollector) -> dict[str, Any]:
    """Turn the public id of `area` into a row; an id that names no street or community is an error
    on `area` (reach is checked by the service). Keys absent from `raw` stay absent."""
    resolved: dict[str, Any] = {}
    if "area" in raw:
        area = Area.objects.filter(public_id=raw["area"], level__in=(AreaLevel.STREET, AreaLevel.COMMUNITY)).first()
        if area is None:
            errors.add("area", _("区域不存在或不在您的辖区内"), "not_found")
        resolved["area"] = area
    return resolved


EXPORT_MAX_ROWS = 20000
EXPORT_HEADERS = [
    "名称", "类型", "街道", "所在区域", "地址", "许可/登记证号", "备案号", "统一社会信用代码", "性质",
    "医养结合", "医院等级", "状态", "联系人", "联系电话", "床位（在用）", "占用", "预留", "空闲", "停用", "入住率(%)",
]  # fmt: skip


@dataclass
class OrganisationExport:
    """An export ready to write: `rows` is consumed once; `total` is before the cap."""

    headers: list[str]
    rows: Iterator[list[Any]]
    total: int
    exported: int


def _export_rows(organisations: Iterator[Organisation]) -> Iterator[list[Any]]:
    for org in organisations:
        counts = BedCounts.of(org)
        yield [
            org.name, str(OrganisationKind(org.kind).label), org.street.name, org.area.name, org.address,
            org.licence_number, org.filing_number, org.credit_code,
            str(Ownership(org.ownership).label) if org.ownership else "",
            "是" if org.is_integrated_care else "否",
            str(HospitalGrade(org.hospital_grade).label) if org.hospital_grade else "",
            str(OrganisationStatus(org.status).label), org.contact_name, org.contact_phone,
            counts.total, counts.occupied, counts.reserved, counts.free, counts.unavailable, counts.rate,
        ]  # fmt: skip


def organisation_export(*, actor: AnyUser, filters: OrganisationFilters) -> OrganisationExport:
    """The organisation list in reach with `filters`, as export rows with bed counts.

    Raises Forbidden without the list-export permission (`elders.export`, “导出列表”). At most
    EXPORT_MAX_ROWS rows. Audits the export (row count and filters, never values).
    """
    require_perm(actor, Perm.ELDERS_EXPORT)
    qs = organisation_list(user=actor, filters=filters)
    total = qs.count()
    exported = min(total, EXPORT_MAX_ROWS)
    described = "；".join(f"{k}={v}" for k, v in vars(filters).items() if v not in ("", None)) or "无"
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        entity_type="organisation",
        summary=f"导出机构列表{exported}行（符合条件共{total}行）；筛选：{described}",
        fields=["name", "kind", "licence_number", "filing_number", "contact_name", "contact_phone", "beds"],
        district=scope_for(actor).district_id,
    )
    return OrganisationExport(
        headers=EXPORT_HEADERS,
        rows=_export_rows(qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)),
        total=total,
        exported=exported,
    )
