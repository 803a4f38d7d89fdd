"""The elder's own sections of the profile (基本信息, 服务与医疗, 紧急联系人, 家庭) and the elder's
timeline entries (registered, admitted, discharged, helper assigned). Full values only as far as the
viewer's role policy (`accounts.disclosure`) discloses them."""

from datetime import date, datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.disclosure import disclosure_for
from yiyang.accounts.permissions import Perm
from yiyang.accounts.selectors import person_label
from yiyang.core.workspace import (
    AuditedRows,
    CardLink,
    ProfileSection,
    TimelineEntry,
    register_profile_section,
    register_timeline_source,
)
from yiyang.elders.access import elder_shown_with
from yiyang.elders.choices import SpecialStatus
from yiyang.elders.models import Elder, FactField
from yiyang.elders.selectors import age_on, elder_fact_history, elder_helper_assignments, fact_value_label
from yiyang.organisations.models import Admission


def _visible(user: AnyUser, elder: Elder) -> bool:
    return elder_shown_with(user=user, elder=elder, perm=Perm.ELDERS_VIEW)


def _current_admission(elder: Elder) -> Admission | None:
    return next((a for a in elder.admissions.all() if a.discharged_on is None), None)


def _day_start(day: date) -> datetime:
    # Dates (admission, assignment) sort among timestamps at the start of their local day.
    return timezone.make_aware(datetime.combine(day, time.min))


@register_profile_section("elders.basic", order=10)
def basic_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """Identity, birth, household, status, place and consent; ID, phone and notes as disclosed."""
    if not _visible(user, elder):
        return None
    disclosure = disclosure_for(user)
    return ProfileSection(
        key="elders.basic",
        title=_("基本信息"),
        template="elders/sections/basic.html",
        data={
            "elder": elder,
            "age": age_on(elder.birth_date, timezone.localdate()),
            "national_id": disclosure.national_id(elder.national_id),
            "phone": disclosure.phone(elder.phone),
            "notes": disclosure.notes(elder.notes),
            "special_labels": [SpecialStatus(v).label for v in elder.special_statuses if v in SpecialStatus.values],
        },
        shown=(AuditedRows("elder", [elder]),),
    )


@register_profile_section("elders.services", order=20)
def services_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """Service station, contracted medical institution and the current admission (or that there is none)."""
    if not _visible(user, elder):
        return None
    admission = _current_admission(elder)
    return ProfileSection(
        key="elders.services",
        title=_("服务与医疗"),
        template="elders/sections/services.html",
        data={"elder": elder, "admission": admission},
        shown=(AuditedRows("admission", [admission] if admission else []),),
    )


@register_profile_section("elders.contacts", order=30)
def contacts_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """Emergency contacts in calling order; phones as disclosed. Empty: says to add one."""
    if not _visible(user, elder):
        return None
    disclosure = disclosure_for(user)
    rows = list(elder.emergency_contacts.all())
    contacts = [
        {
            "priority": c.priority,
            "name": c.name,
            "relation": c.relation,
            "phone": disclosure.contact_phone(c.phone),
            "is_key_holder": c.is_key_holder,
        }
        for c in rows
    ]
    return ProfileSection(
        key="elders.contacts",
        title=_("紧急联系人"),
        template="elders/sections/contacts.html",
        data={"contacts": contacts},
        empty=not contacts,
        empty_hint=_("未登记紧急联系人：告警时无人可通知。请在“修改”中补充至少一位联系人。"),
        shown=(AuditedRows("emergency_contact", rows),),
    )


@register_profile_section("elders.home", order=40)
def home_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """The household: address as disclosed, key holder, members with phones as disclosed."""
    if not _visible(user, elder):
        return None
    disclosure = disclosure_for(user)
    home = elder.home
    member_rows = list(home.members.all()) if home else []
    return ProfileSection(
        key="elders.home",
        title=_("家庭"),
        template="elders/sections/home.html",
        data={
            "home": home,
            "address": disclosure.address(home.address) if home else "",
            "members": [
                {"name": m.name, "relation": m.relation, "phone": disclosure.member_phone(m.phone)} for m in member_rows
            ],
        },
        empty=home is None,
        empty_hint=_("未关联家庭：上门服务和设备安装需要住址。请在“修改”中选择家庭。"),
        shown=(AuditedRows("home", [home] if home else []), AuditedRows("home_member", member_rows)),
    )


@register_profile_section("elders.facts", order=45)
def facts_section(user: AnyUser, elder: Elder) -> ProfileSection | None:
    """Dated changes of economic status, household registration and roll status, latest effective day
    first, for staff who reach the elder (not helpers or family: the basis and the recorder are staff
    work); with the action to record one for holders of `elders.change`."""
    if scope_for(user).kind in (ScopeKind.HELPER, ScopeKind.FAMILY) or not _visible(user, elder):
        return None
    rows = list(elder_fact_history(elder=elder))
    changes = [
        {
            "effective_on": row.effective_on,
            "field_label": FactField(row.field).label,
            "old_label": fact_value_label(row.field, row.old_value),
            "new_label": fact_value_label(row.field, row.new_value),
            "basis": row.basis,
            "recorded_at": row.recorded_at,
            "recorded_by": person_label(row.recorded_by),
        }
        for row in rows
    ]
    links = []
    if has_perm(user, Perm.ELDERS_CHANGE):
        links.append(
            CardLink(label=_("登记状况变更"), url=reverse("elder-fact-change", kwargs={"public_id": elder.public_id}))
        )
    return ProfileSection(
        key="elders.facts",
        title=_("状况变更"),
        template="elders/sections/facts.html",
        data={"changes": changes, "links": links},
        empty=not changes,
        empty_hint=_("暂无状况变更记录。经济状况、户籍或在册状态（去世、迁出）变化时，请登记变更及其生效日期。"),
        shown=(AuditedRows("elder_fact_change", rows),),
    )


@register_timeline_source("elders", order=10)
def elder_timeline(user: AnyUser, elder: Elder, limit: int) -> list[TimelineEntry]:
    """Registration, admissions and discharges, and helper assignments, for viewers of the elder."""
    if not _visible(user, elder):
        return []
    entries = [TimelineEntry(at=elder.created_at, source="elders", title=_("登记建档"))]
    for admission in elder.admissions.all():
        entries.append(
            TimelineEntry(
                at=_day_start(admission.admitted_on),
                source="elders",
                title=_("入住机构"),
                detail=f"{admission.organisation.name} · {admission.bed.label}",
                tone="info",
                entity_type="admission",
                record=admission,
            )
        )
        if admission.discharged_on:
            entries.append(
                TimelineEntry(
                    at=_day_start(admission.discharged_on),
                    source="elders",
                    title=_("离开机构"),
                    detail=f"{admission.organisation.name} · {admission.get_discharge_reason_display()}",
                    entity_type="admission",
                    record=admission,
                )
            )
    for assignment in elder_helper_assignments(elder=elder):
        entries.append(
            TimelineEntry(
                at=_day_start(assignment.since),
                source="elders",
                title=_("指派助老员"),
                detail=person_label(assignment.helper),
                entity_type="helper_assignment",
                record=assignment,
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
