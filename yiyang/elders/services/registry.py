"""Registering and changing elders. Each service checks permission and reach, validates every field
at once (so a form or an import row can show all its errors), writes in one transaction and audits."""

import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.areas.selectors import communities_in_reach
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector, ValidationFailed
from yiyang.core.limits import limit
from yiyang.core.national_id import InvalidNationalId, parse_national_id
from yiyang.core.text import check_name, normalise_name
from yiyang.elders.choices import (
    EconomicStatus,
    HouseholdRegistration,
    LivingArrangement,
    Sex,
    SpecialStatus,
)
from yiyang.elders.eligibility import elder_min_age, eligibility_policy
from yiyang.elders.models import Elder, ElderFactChange, EmergencyContact, Home
from yiyang.elders.selectors import age_on, national_id_hash_q
from yiyang.elders.services.facts import fact_change_build
from yiyang.organisations.choices import MEDICAL_KINDS, OrganisationKind
from yiyang.organisations.models import Organisation

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")


@dataclass
class ContactInput:
    name: str
    relation: str
    phone: str
    is_key_holder: bool = False


@dataclass
class ElderInput:
    """Everything needed to register an elder; areas and organisations already resolved."""

    name: str
    national_id: str
    community: Area | None
    phone: str = ""
    birth_date: date | None = None
    sex: str = ""
    household_registration: str = HouseholdRegistration.REGISTERED
    economic_status: str = EconomicStatus.ORDINARY
    special_statuses: list[str] = field(default_factory=list)
    living_arrangement: str = LivingArrangement.WITH_FAMILY
    home: Home | None = None
    service_station: Organisation | None = None
    medical_institution: Organisation | None = None
    monitoring_consent: bool = False
    notes: str = ""
    emergency_contacts: list[ContactInput] = field(default_factory=list)


EDITABLE_FIELDS = frozenset(f.name for f in fields(ElderInput)) - {"emergency_contacts"}


def phone_problem(value: str) -> str | None:
    if value and not (MOBILE.match(value) or LANDLINE.match(value)):
        return _("电话号码格式不正确（手机号11位，以1开头；座机如0592-1234567）")
    return None


def check_elder_input(
    data: ElderInput,
    *,
    errors: ErrorCollector,
    row: int | None = None,
    exclude_pk: int | None = None,
    today: date | None = None,
    check_duplicate: bool = True,
) -> str | None:
    """Validate `data` into `errors` (with `row` for imports); return the normalised national ID.

    Checks: a printable name (`yiyang.core.text`), ID check digit (GB 11643-1999), the minimum age
    (`elder_min_age`, by the ID's birth date), a birth date or sex that contradicts the ID, an ID
    already registered, the community level, the kinds of linked organisations, every choice, the
    phone format, the notes' length (YIYANG_MAX_TEXT_CHARS) and each emergency contact.
    """

    def bad(name: str, reason: str, code: str = "invalid") -> None:
        errors.add(name, reason, code, row)

    if not data.name.strip():
        bad("name", _("姓名不能为空"), "required")
    else:
        check_name(errors, "name", data.name, max_length=100, row=row, label=_("姓名"))
    if len(data.notes or "") > (notes_limit := limit("YIYANG_MAX_TEXT_CHARS")):
        bad("notes", _("备注不能超过%(limit)s个字符") % {"limit": notes_limit}, "max_length")
    national_id: str | None = None
    if not data.national_id.strip():
        bad("national_id", _("身份证号不能为空"), "required")
    else:
        try:
            facts = parse_national_id(data.national_id, today=today or timezone.localdate())
        except InvalidNationalId as exc:
            bad("national_id", str(exc), "national_id_invalid")
        else:
            national_id = facts.number
            today_ = today or timezone.localdate()
            if age_on(facts.birth_date, today_) < (min_age := elder_min_age()):
                # The law's words only for the law's age: a deployment's own minimum is not the law's.
                why = (
                    _("老年人是指%(age)s周岁以上的公民")
                    if min_age == eligibility_policy().min_age_years
                    else _("本地登记标准为%(age)s周岁以上")
                )
                bad(
                    "national_id",
                    _("按身份证号的出生日期未满%(age)s周岁，不属于登记对象（%(why)s）")
                    % {"age": min_age, "why": why % {"age": min_age}},
                    "under_min_age",
                )
            if data.birth_date is not None and data.birth_date != facts.birth_date:
                bad(
                    "birth_date",
                    _("出生日期%(given)s与身份证号中的%(derived)s不一致")
                    % {"given": data.birth_date.isoformat(), "derived": facts.birth_date.isoformat()},
                    "contradicts_national_id",
                )
            if data.sex and data.sex != facts.sex:
                reason = _("性别与身份证号不一致（身份证号显示为%(sex)s）") % {"sex": Sex(facts.sex).label}
                bad("sex", reason, "contradicts_national_id")
            if check_duplicate:
                duplicate = Elder.objects.filter(national_id_hash_q(national_id))
                if exclude_pk is not None:
                    duplicate = duplicate.exclude(pk=exclude_pk)
                if duplicate.exists():
                    bad("national_id", _("该身份证号已登记"), "duplicate")
    if data.community is None:
        if not errors.has("community", row):
            bad("community", _("社区不能为空"), "required")
    elif data.community.level != AreaLevel.COMMUNITY:
        bad("community", _("应选择社区一级的区域"), "invalid_level")
    for name, value, choices in (
        ("household_registration", data.household_registration, HouseholdRegistration),
        ("economic_status", data.economic_status, EconomicStatus),
        ("living_arrangement", data.living_arrangement, LivingArrangement),
    ):
        if value not in choices.values:
            listed = pgettext("separator between list items", "、").join(str(c.label) for c in choices)
            bad(
                name,
                _("“%(value)s”不是可选值；可选：%(choices)s") % {"value": value, "choices": listed},
                "invalid_choice",
            )
    if data.sex and data.sex not in Sex.values:
        bad("sex", _("性别应为M或F"), "invalid_choice")
    for status in data.special_statuses:
        if status not in SpecialStatus.values:
            bad("special_statuses", _("“%(value)s”不是可选的特殊身份") % {"value": status}, "invalid_choice")
    if problem := phone_problem(data.phone):
        bad("phone", problem)
    if data.service_station is not None and data.service_station.kind not in (
        OrganisationKind.STATION,
        OrganisationKind.CARE_CENTRE,
        OrganisationKind.COMPLEX,
    ):
        bad("service_station", _("服务站点应为养老服务站、照料中心或“一老一小”综合体"), "invalid_kind")
    if data.medical_institution is not None and data.medical_institution.kind not in MEDICAL_KINDS:
        bad("medical_institution", _("签约医疗机构应为医院、社区卫生服务中心或诊所"), "invalid_kind")
    if data.home is not None and data.community is not None and data.home.community_id != data.community.pk:
        bad("home", _("家庭所在社区与老年人所属社区不一致"), "mismatch")
    for index, contact in enumerate(data.emergency_contacts):
        check_contact(contact, errors=errors, prefix=f"emergency_contacts[{index}].", row=row)
    return national_id


def _require_community_in_reach(actor: AnyUser, community: Area | None, errors: ErrorCollector) -> None:
    if community is not None and not communities_in_reach(user=actor).filter(pk=community.pk).exists():
        errors.add("community", _("社区不存在或不在您的辖区内"), "not_found")


def elder_build(data: ElderInput, *, national_id: str) -> Elder:
    """An unsaved Elder from validated input, with birth date, sex and areas derived."""
    facts = parse_national_id(national_id)
    community = data.community
    assert community is not None and community.street_id is not None and community.district_id is not None
    consent_at = timezone.now() if data.monitoring_consent else None
    return Elder(
        name=normalise_name(data.name),
        national_id=national_id,
        birth_date=facts.birth_date,
        sex=facts.sex,
        phone=data.phone.strip(),
        household_registration=data.household_registration,
        economic_status=data.economic_status,
        special_statuses=sorted(set(data.special_statuses)),
        living_arrangement=data.living_arrangement,
        home=data.home,
        community=community,
        street_id=community.street_id,
        district_id=community.district_id,
        service_station=data.service_station,
        medical_institution=data.medical_institution,
        monitoring_consent=data.monitoring_consent,
        monitoring_consent_at=consent_at,
        notes=data.notes,
    )


@transaction.atomic
def elder_register(*, actor: AnyUser, data: ElderInput, pre_errors: ErrorCollector | None = None) -> Elder:
    """Register one elder with their emergency contacts.

    Guarantees: the actor holds `elders.create` and the community is in their reach; the national
    ID is valid and unique, and birth date and sex are the ID's; every problem is reported at once
    as ValidationFailed (with any `pre_errors` the caller found resolving references) and nothing is
    written; the creation is audited.
    """
    require_perm(actor, Perm.ELDERS_CREATE)
    errors = pre_errors or ErrorCollector()
    _require_community_in_reach(actor, data.community, errors)
    national_id = check_elder_input(data, errors=errors)
    errors.raise_if_any(_("老年人信息有误"))
    assert national_id is not None
    elder = elder_build(data, national_id=national_id)
    try:
        with transaction.atomic():
            elder.save()
    except IntegrityError:
        # A concurrent registration of the same ID won the race; the unique constraint decides.
        raise ValidationFailed.single("national_id", _("该身份证号已登记"), "duplicate") from None
    EmergencyContact.objects.bulk_create(
        EmergencyContact(
            elder=elder,
            name=normalise_name(c.name),
            relation=c.relation.strip(),
            phone=c.phone.strip(),
            priority=i + 1,
            is_key_holder=c.is_key_holder,
        )
        for i, c in enumerate(data.emergency_contacts)
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="elder",
        entity_id=str(elder.public_id),
        summary="登记老年人档案",
        fields=[f for f in EDITABLE_FIELDS if f != "birth_date"],
        district=elder.district_id,
    )
    return elder


# Facts whose changes are kept with a date (see services.facts).
DATED_FACTS = ("economic_status", "household_registration")

# Columns an update may change, by attribute name (foreign keys as their `_id` column).
_TRACKED_COLUMNS = (
    "name", "national_id", "birth_date", "sex", "phone", "household_registration", "economic_status",
    "special_statuses", "living_arrangement", "home_id", "community_id", "street_id", "district_id",
    "service_station_id", "medical_institution_id", "monitoring_consent", "notes",
)  # fmt: skip


_FIELD_BY_ATTNAME = {f.attname: f.name for f in Elder._meta.concrete_fields}


def _input_from(elder: Elder) -> ElderInput:
    return ElderInput(
        name=elder.name,
        national_id=elder.national_id,
        community=elder.community,
        phone=elder.phone,
        household_registration=elder.household_registration,
        economic_status=elder.economic_status,
        special_statuses=list(elder.special_statuses),
        living_arrangement=elder.living_arrangement,
        home=elder.home,
        service_station=elder.service_station,
        medical_institution=elder.medical_institution,
        monitoring_consent=elder.monitoring_consent,
        notes=elder.notes,
    )


@transaction.atomic
def elder_update(
    *, actor: AnyUser, elder: Elder, changes: dict[str, Any], pre_errors: ErrorCollector | None = None
) -> Elder:
    """Change some fields of an elder already accessed with `elders.change`.

    Accepts keys of ElderInput (not contacts); unknown keys are errors. Moving to another community
    requires that community to be in reach. A changed ID re-derives birth date and sex. Only the
    names of changed fields are audited, never their values. A no-op change writes nothing. Every
    problem is reported at once as ValidationFailed, after any `pre_errors` the caller found (a form's),
    and then nothing is written.
    """
    require_perm(actor, Perm.ELDERS_CHANGE)
    errors = pre_errors or ErrorCollector()
    unknown = [key for key in changes if key not in EDITABLE_FIELDS]
    for key in unknown:
        errors.add(key, _("该字段不存在或不可修改"), "unknown_field")
    if unknown:
        errors.raise_if_any(_("老年人信息有误"))
    data = _input_from(elder)
    for key, value in changes.items():
        setattr(data, key, value)
    if "community" in changes:
        _require_community_in_reach(actor, data.community, errors)
    national_id = check_elder_input(data, errors=errors, exclude_pk=elder.pk)
    errors.raise_if_any(_("老年人信息有误"))
    assert national_id is not None
    updated = elder_build(data, national_id=national_id)
    changed: list[str] = []
    update_fields: list[str] = []
    fact_changes = [
        fact_change_build(
            elder=elder,
            field=name,
            new_value=getattr(updated, name),
            effective_on=timezone.localdate(),
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        for name in DATED_FACTS
        if getattr(elder, name) != getattr(updated, name)
    ]
    for attname in _TRACKED_COLUMNS:
        new = getattr(updated, attname)
        if getattr(elder, attname) != new:
            setattr(elder, attname, new)
            update_fields.append(attname)
            changed.append(_FIELD_BY_ATTNAME[attname])
    if "monitoring_consent" in update_fields:
        elder.monitoring_consent_at = updated.monitoring_consent_at
        update_fields.append("monitoring_consent_at")
        changed.append("monitoring_consent_at")
    if not changed:
        return elder
    try:
        with transaction.atomic():
            elder.save(update_fields=[*update_fields, "updated_at"])
    except IntegrityError:
        raise ValidationFailed.single("national_id", _("该身份证号已登记"), "duplicate") from None
    # An edit of the form is a change from today; a backdated one goes through `elder_fact_change`.
    ElderFactChange.objects.bulk_create(fact_changes)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="elder",
        entity_id=str(elder.public_id),
        summary="修改老年人档案",
        fields=changed,
        district=elder.district_id,
    )
    return elder


@transaction.atomic
def emergency_contact_add(*, actor: AnyUser, elder: Elder, contact: ContactInput) -> EmergencyContact:
    """Append an emergency contact (last in calling order) to an elder accessed with `elders.change`."""
    require_perm(actor, Perm.ELDERS_CHANGE)
    errors = ErrorCollector()
    check_contact(contact, errors=errors)
    errors.raise_if_any(_("紧急联系人信息有误"))
    last = elder.emergency_contacts.order_by("-priority").values_list("priority", flat=True).first() or 0
    created = EmergencyContact.objects.create(
        elder=elder,
        name=normalise_name(contact.name),
        relation=contact.relation.strip(),
        phone=contact.phone.strip(),
        priority=last + 1,
        is_key_holder=contact.is_key_holder,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="elder",
        entity_id=str(elder.public_id),
        summary="新增紧急联系人",
        fields=["emergency_contacts"],
        district=elder.district_id,
    )
    return created


@transaction.atomic
def emergency_contact_remove(*, actor: AnyUser, elder: Elder, contact_public_id: str) -> None:
    """Remove one of the elder's emergency contacts; an id not belonging to the elder is not found."""
    require_perm(actor, Perm.ELDERS_CHANGE)
    deleted, _counts = elder.emergency_contacts.filter(public_id=contact_public_id).delete()
    if not deleted:
        raise ValidationFailed.single("contact", _("紧急联系人不存在"), "not_found")
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="elder",
        entity_id=str(elder.public_id),
        summary="删除紧急联系人",
        fields=["emergency_contacts"],
        district=elder.district_id,
    )


def check_contact(contact: ContactInput, *, errors: ErrorCollector, prefix: str = "", row: int | None = None) -> None:
    """Validate one emergency contact into `errors`, field names prefixed (`emergency_contacts[0].phone`)."""
    if not contact.name.strip():
        errors.add(f"{prefix}name", _("联系人姓名不能为空"), "required", row)
    else:
        check_name(errors, f"{prefix}name", contact.name, max_length=100, row=row, label=_("联系人姓名"))
    if not contact.relation.strip():
        errors.add(f"{prefix}relation", _("与老人关系不能为空"), "required", row)
    if not contact.phone.strip():
        errors.add(f"{prefix}phone", _("联系人电话不能为空"), "required", row)
    elif problem := phone_problem(contact.phone):
        errors.add(f"{prefix}phone", problem, "invalid", row)


def elder_record_view(*, actor: AnyUser, elder: Elder, full_identifiers: bool | None = None) -> None:
    """Audit that `actor` opened the elder's record (with unmasked ID and phone when `full_identifiers`;
    by default, when the actor's role sees them in full: `accounts.disclosure`)."""
    if full_identifiers is None:
        full_identifiers = disclosure_for(actor).full_identifiers
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        entity_type="elder",
        entity_id=str(elder.public_id),
        summary="查看老年人档案（含完整身份证号和电话）" if full_identifiers else "查看老年人档案",
        fields=["national_id", "phone"] if full_identifiers else [],
        district=elder.district_id,
    )


def elder_refs_resolve(raw: dict[str, Any], *, errors: ErrorCollector) -> dict[str, Any]:
    """Turn public ids of community, home, service station and medical institution into rows.

    Organisations and homes must lie in the same district as the community; an id that names
    nothing usable is an error on that field. Keys absent from `raw` stay absent.
    """
    resolved: dict[str, Any] = {}
    community: Area | None = None
    if "community" in raw:
        community = Area.objects.filter(public_id=raw["community"], level=AreaLevel.COMMUNITY).first()
        if community is None:
            errors.add("community", _("社区不存在或不在您的辖区内"), "not_found")
        resolved["community"] = community
    district_id = community.district_id if community is not None else None
    for key in ("service_station", "medical_institution"):
        if key in raw:
            if raw[key] is None:
                resolved[key] = None
                continue
            orgs = Organisation.objects.filter(public_id=raw[key])
            if district_id is not None:
                orgs = orgs.filter(district_id=district_id)
            resolved[key] = orgs.first()
            if resolved[key] is None:
                errors.add(key, _("机构不存在或不在本区"), "not_found")
    if "home" in raw:
        if raw["home"] is None:
            resolved["home"] = None
        else:
            homes = Home.objects.filter(public_id=raw["home"])
            if district_id is not None:
                homes = homes.filter(district_id=district_id)
            resolved["home"] = homes.first()
            if resolved["home"] is None:
                errors.add("home", _("家庭不存在"), "not_found")
    return resolved
