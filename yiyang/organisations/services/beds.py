"""Beds, admissions and discharges: the only writers of bed states."""

from datetime import date
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector, ValidationFailed
from yiyang.core.national_id import InvalidNationalId, parse_national_id
from yiyang.elders.choices import ElderStatus
from yiyang.elders.models import Elder
from yiyang.elders.selectors import national_id_exact_q
from yiyang.organisations.choices import (
    BED_KINDS,
    BedState,
    DischargeReason,
    OrganisationStatus,
)
from yiyang.organisations.errors import AdmissionNotFound, BedNotFound, OrganisationNotFound
from yiyang.organisations.models import Admission, Bed, Organisation
from yiyang.organisations.services.registry import _max_length, _require_in_reach

SETTABLE_BED_STATES = (BedState.FREE, BedState.RESERVED, BedState.UNAVAILABLE)
ADMITTABLE_BED_STATES = (BedState.FREE, BedState.RESERVED)


def _check_length(errors: ErrorCollector, model: type[Any], name: str, value: str) -> None:
    limit = _max_length(model, name)
    if len(value) > limit:
        errors.add(name, _("不能超过%(limit)s个字符") % {"limit": limit}, "max_length")


@transaction.atomic
def bed_create(
    *, actor: AnyUser, organisation: Organisation, room: str, number: str, building: str = "", note: str = ""
) -> Bed:
    """Add a free bed to an organisation in reach that keeps beds.

    Guarantees: the actor holds `beds.manage`; the organisation is of a kind in BED_KINDS; room and
    number are given; the label (building, room, number) is new in the organisation (a duplicate is
    a field error on `number`, backed by the unique constraint); nothing is written on error; the
    creation is audited.
    """
    require_perm(actor, Perm.BEDS_MANAGE)
    _require_in_reach(actor, organisation, OrganisationNotFound)
    building, room, number, note = building.strip(), room.strip(), number.strip(), note.strip()
    errors = ErrorCollector()
    if organisation.kind not in BED_KINDS:
        errors.add("organisation", _("该类型机构不设床位"), "no_beds")
    if not room:
        errors.add("room", _("房间号不能为空"), "required")
    if not number:
        errors.add("number", _("床号不能为空"), "required")
    for name, value in (("building", building), ("room", room), ("number", number), ("note", note)):
        _check_length(errors, Bed, name, value)
    duplicate_reason = _("该机构已有同一楼栋、房间和床号的床位")
    if room and number and organisation.beds.filter(building=building, room=room, number=number).exists():
        errors.add("number", duplicate_reason, "duplicate")
    errors.raise_if_any(_("床位信息有误"))
    bed = Bed(organisation=organisation, building=building, room=room, number=number, note=note)
    try:
        with transaction.atomic():
            bed.save()
    except IntegrityError:
        raise ValidationFailed.single("number", duplicate_reason, "duplicate") from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="bed",
        entity_id=str(bed.public_id),
        summary=f"新增床位 {bed.label}",
        fields=["building", "room", "number", *(["note"] if note else [])],
        district=organisation.district_id,
    )
    return bed


@transaction.atomic
def bed_set_state(*, actor: AnyUser, bed: Bed, state: str, note: str | None = None) -> Bed:
    """Mark a bed free, reserved or out of service (and optionally replace its note).

    Guarantees: the actor holds `beds.manage` and the bed's organisation is in reach; `occupied`
    is never set here (only admission does that) and an occupied bed keeps its state until the
    resident is discharged; nothing is written on error or when nothing changes; a change is
    audited. Returns the bed as stored.
    """
    require_perm(actor, Perm.BEDS_MANAGE)
    _require_in_reach(actor, bed.organisation, BedNotFound)
    current = Bed.objects.select_for_update().select_related("organisation").get(pk=bed.pk)
    errors = ErrorCollector()
    if state == BedState.OCCUPIED:
        errors.add("state", _("床位只能通过办理入住变为占用"), "occupied_via_admission")
    elif state not in SETTABLE_BED_STATES:
        errors.add(
            "state", _("“%(value)s”不是可选的床位状态；可选：空闲、预留、停用") % {"value": state}, "invalid_choice"
        )
    if current.state == BedState.OCCUPIED and state != BedState.OCCUPIED:
        errors.add("state", _("床位有老人入住，办理离院后才能更改状态"), "bed_occupied")
    if note is not None:
        note = note.strip()
        _check_length(errors, Bed, "note", note)
    errors.raise_if_any(_("床位状态不能更改"))
    changed = []
    if current.state != state:
        current.state = state
        changed.append("state")
    if note is not None and current.note != note:
        current.note = note
        changed.append("note")
    if not changed:
        return current
    current.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="bed",
        entity_id=str(current.public_id),
        summary=lambda: f"床位 {current.label} 状态改为{BedState(current.state).label}",
        fields=changed,
        district=current.organisation.district_id,
    )
    return current


def _elder_for_admission(
    *, national_id: str, public_id: UUID | None, district_id: int, errors: ErrorCollector
) -> Elder | None:
    """The elder named by national ID or public id in the district, or None with an error added.

    Institution staff see only their residents, so the elder is not looked up through the elder
    access functions; the district bounds the search instead.
    """
    national_id = national_id.strip()
    if public_id is not None and national_id:
        errors.add("elder_national_id", _("老人只需按编号或身份证号指定一项"), "ambiguous")
        return None
    if public_id is None and not national_id:
        errors.add("elder_national_id", _("请填写入住老人的身份证号"), "required")
        return None
    elders = Elder.objects.filter(district_id=district_id)
    if public_id is not None:
        field_name = "elder"
        elder = elders.filter(public_id=public_id).first()
    else:
        field_name = "elder_national_id"
        try:
            number = parse_national_id(national_id, today=timezone.localdate()).number
        except InvalidNationalId as exc:
            errors.add(field_name, str(exc), "national_id_invalid")
            return None
        elder = elders.filter(national_id_exact_q(number)).first()
    if elder is None:
        errors.add(field_name, _("本区未登记该老人"), "not_found")
        return None
    if elder.status != ElderStatus.ACTIVE:
        errors.add(
            field_name,
            _("该老人档案状态为“%(status)s”，不能办理入住") % {"status": ElderStatus(elder.status).label},
            "elder_inactive",
        )
        return None
    if Admission.objects.filter(elder=elder, discharged_on__isnull=True).exists():
        errors.add(field_name, _("该老人已在机构入住，须先办理离院"), "already_admitted")
        return None
    return elder


@transaction.atomic
def admission_admit(
    *,
    actor: AnyUser,
    bed: Bed,
    elder_national_id: str = "",
    elder_public_id: UUID | None = None,
    admitted_on: date | None = None,
    note: str = "",
) -> Admission:
    """Admit an elder of the bed's district (named by national ID or public id) into a bed.

    Guarantees: the actor holds `beds.manage` and the bed's organisation is in reach and open; the
    bed is free or reserved; the elder is registered and active in the same district and has no
    open stay; the date is not in the future. On success the stay is open and the bed occupied;
    the partial unique constraints (one open stay per elder, per bed) settle races as field errors.
    Every problem is reported at once and nothing is written; the admission is audited. The elder's
    record itself is not changed.
    """
    require_perm(actor, Perm.BEDS_MANAGE)
    _require_in_reach(actor, bed.organisation, BedNotFound)
    current = Bed.objects.select_for_update().select_related("organisation").get(pk=bed.pk)
    organisation = current.organisation
    errors = ErrorCollector()
    if organisation.status != OrganisationStatus.OPEN:
        errors.add("bed", _("机构未在运营，不能办理入住"), "organisation_not_open")
    if current.state not in ADMITTABLE_BED_STATES:
        errors.add(
            "bed", _("床位当前为“%(state)s”，不能入住") % {"state": BedState(current.state).label}, "bed_not_available"
        )
    elder = _elder_for_admission(
        national_id=elder_national_id, public_id=elder_public_id, district_id=organisation.district_id, errors=errors
    )
    today = timezone.localdate()
    admitted_on = admitted_on or today
    if admitted_on > today:
        errors.add("admitted_on", _("入住日期不能晚于今天"), "in_future")
    note = note.strip()
    _check_length(errors, Admission, "note", note)
    errors.raise_if_any(_("不能办理入住"))
    assert elder is not None
    admission = Admission(elder=elder, organisation=organisation, bed=current, admitted_on=admitted_on, note=note)
    try:
        with transaction.atomic():
            admission.save()
    except IntegrityError:
        # A concurrent admission of the same elder or into the same bed won the race.
        if Admission.objects.filter(elder=elder, discharged_on__isnull=True).exists():
            field_name = "elder" if elder_public_id is not None else "elder_national_id"
            raise ValidationFailed.single(
                field_name, _("该老人已在机构入住，须先办理离院"), "already_admitted"
            ) from None
        raise ValidationFailed.single("bed", _("床位已被占用"), "bed_not_available") from None
    current.state = BedState.OCCUPIED
    current.save(update_fields=["state", "updated_at"])
    bed.state = current.state
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="admission",
        entity_id=str(admission.public_id),
        summary=f"办理入住：床位 {current.label}",
        fields=["elder", "bed", "admitted_on", *(["note"] if note else [])],
        district=organisation.district_id,
    )
    return admission


@transaction.atomic
def admission_discharge(
    *,
    actor: AnyUser,
    admission: Admission,
    reason: str,
    discharged_on: date | None = None,
    note: str | None = None,
) -> Admission:
    """Close an open stay and free its bed.

    Guarantees: the actor holds `beds.manage` and the stay's organisation is in reach; the stay is
    still open; the reason is one of DischargeReason; the date is neither before admission nor in
    the future. On success `discharged_on` and `discharge_reason` are set and the bed is free.
    Every problem is reported at once and nothing is written; the discharge is audited.
    """
    require_perm(actor, Perm.BEDS_MANAGE)
    _require_in_reach(actor, admission.organisation, AdmissionNotFound)
    current = Admission.objects.select_for_update().select_related("organisation", "bed").get(pk=admission.pk)
    errors = ErrorCollector()
    if current.discharged_on is not None:
        errors.add("admission", _("该入住记录已办理离院"), "already_discharged")
    if not reason:
        errors.add("reason", _("请选择离院原因"), "required")
    elif reason not in DischargeReason.values:
        errors.add("reason", _("“%(value)s”不是可选的离院原因") % {"value": reason}, "invalid_choice")
    today = timezone.localdate()
    discharged_on = discharged_on or today
    if discharged_on > today:
        errors.add("discharged_on", _("离院日期不能晚于今天"), "in_future")
    elif discharged_on < current.admitted_on:
        errors.add(
            "discharged_on",
            _("离院日期不能早于入住日期%(date)s") % {"date": current.admitted_on.isoformat()},
            "before_admission",
        )
    if note is not None:
        note = note.strip()
        _check_length(errors, Admission, "note", note)
    errors.raise_if_any(_("不能办理离院"))
    current.discharged_on = discharged_on
    current.discharge_reason = reason
    changed = ["discharged_on", "discharge_reason"]
    if note is not None and note != current.note:
        current.note = note
        changed.append("note")
    current.save(update_fields=[*changed, "updated_at"])
    bed = Bed.objects.select_for_update().get(pk=current.bed_id)
    if bed.state == BedState.OCCUPIED:
        bed.state = BedState.FREE
        bed.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="admission",
        entity_id=str(current.public_id),
        summary=f"办理离院：床位 {bed.label}",
        fields=changed,
        district=current.organisation.district_id,
    )
    return current
