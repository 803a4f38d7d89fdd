"""The 120 hand-off sheet: what an ambulance crew needs to reach and treat the elder."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from yiyang.accounts.disclosure import ALL_VALUES, Disclosure, disclosure_for
from yiyang.alerts.choices import Severity
from yiyang.alerts.models import Alert
from yiyang.elders.models import Elder, EmergencyContact
from yiyang.elders.selectors import age_on
from yiyang.monitoring.choices import MonitoringFlag
from yiyang.monitoring.models import ElderMonitoringProfile

# Lazy: the sheet is put into words in the language active when it is built (the viewer's on a page,
# the default Chinese when it is sent to 120 from a worker).
NOT_RECORDED = gettext_lazy("未登记")
UNKNOWN = gettext_lazy("未知")
SEPARATOR = pgettext_lazy("separator between sentences", "；")


def _flag_name(flag: str) -> str:
    """A monitoring flag's label without its explanation: 慢阻肺 for copd, 认知障碍 for dementia."""
    if flag not in MonitoringFlag.values:
        return flag
    label = str(MonitoringFlag(flag).label)
    return label.split("（")[0].split(" (")[0].strip()


def _conditions(profile: ElderMonitoringProfile | None) -> str:
    if profile is None:
        return str(NOT_RECORDED)
    parts = [_flag_name(flag) for flag in profile.flags]
    if profile.conditions:
        parts.append(profile.conditions)
    return str(SEPARATOR).join(parts) or str(NOT_RECORDED)


def handoff_sheet(alert: Alert, *, disclosure: Disclosure | None = None) -> dict[str, Any]:
    """The sheet for 120 as plain data: elder, address and coordinates, key holders, conditions
    (the elder's monitoring flags, e.g. 慢阻肺, then the conditions text of the monitoring profile,
    joined with "；") and medication (the profile's medication text), "未登记" for what is not
    recorded; emergency contacts in calling order, the device's last location if the triggering
    reading carried one, and what triggered the alert. The elder, home and monitoring profile come
    in one query. Phones and the address are shown as `disclosure` (the viewer's role policy) allows;
    without one, in full (the sheet sent to 120 itself)."""
    shown = disclosure or Disclosure(full=ALL_VALUES)
    elder = Elder.objects.select_related("home", "monitoring_profile").get(pk=alert.elder_id)
    home = elder.home
    profile: ElderMonitoringProfile | None = getattr(elder, "monitoring_profile", None)
    contacts = list(EmergencyContact.objects.filter(elder=elder).order_by("priority", "id"))
    key_holders = [
        _("%(name)s（%(relation)s，%(phone)s）")
        % {"name": c.name, "relation": c.relation, "phone": shown.contact_phone(c.phone)}
        for c in contacts
        if c.is_key_holder
    ]
    if home is not None and home.key_holder:
        key_holders.insert(0, home.key_holder)
    location = alert.last_detail.get("location") if isinstance(alert.last_detail, dict) else None
    coordinates = (
        {"latitude": str(home.latitude), "longitude": str(home.longitude)}
        if home is not None and home.latitude is not None and home.longitude is not None
        else None
    )
    return {
        "alert": {
            "id": str(alert.public_id),
            "type": alert.alert_type,
            "severity": alert.severity,
            "severity_label": str(Severity(alert.severity).label),
            "opened_at": alert.opened_at.isoformat(),
            "last_detail": alert.last_detail,
        },
        "elder": {
            "name": elder.name,
            "sex": elder.get_sex_display(),
            "age": age_on(elder.birth_date, alert.opened_at.date()),
            "phone": shown.phone(elder.phone) or str(NOT_RECORDED),
        },
        "address": shown.address(home.address) if home is not None and home.address else str(NOT_RECORDED),
        "coordinates": coordinates,
        "key_holders": key_holders or [str(NOT_RECORDED)],
        "conditions": _conditions(profile),
        "medication": profile.medication if profile is not None and profile.medication else str(NOT_RECORDED),
        "contacts": [{"name": c.name, "relation": c.relation, "phone": shown.contact_phone(c.phone)} for c in contacts],
        "device_location": location or str(UNKNOWN),
    }


def handoff_sheet_text(sheet: dict[str, Any]) -> str:
    """The sheet as the few lines read out or sent to 120."""
    elder = sheet["elder"]
    separator = pgettext("separator between sentences", "；")
    contacts = separator.join(
        _("%(name)s（%(relation)s）%(phone)s") % {"name": c["name"], "relation": c["relation"], "phone": c["phone"]}
        for c in sheet["contacts"]
    ) or str(NOT_RECORDED)
    alert, values = sheet["alert"], {**sheet, "contacts": contacts, "keys": separator.join(sheet["key_holders"])}
    lines = [
        _("【120交接单】%(severity)s：%(type)s，%(opened_at)s")
        % {"severity": alert["severity_label"], "type": alert["type"], "opened_at": alert["opened_at"]},
        _("老人：%(name)s，%(sex)s，%(age)s岁，电话%(phone)s") % elder,
        _("地址：%(address)s") % values,
        _("钥匙：%(keys)s") % values,
        _("疾病：%(conditions)s；用药：%(medication)s") % values,
        _("联系人：%(contacts)s") % values,
        _("设备位置：%(device_location)s") % values,
    ]
    return "\n".join(lines)


def alert_handoff_sheet(*, actor: Any, alert: Alert) -> dict[str, Any]:
    """The hand-off sheet for someone who may handle the alert; the viewing is audited (it holds
    the elder's address and contacts). Phones and address as the actor's role policy discloses them
    (`accounts.disclosure`). Raises Forbidden without `alerts.handle`."""
    from yiyang.accounts.access import require_perm
    from yiyang.accounts.permissions import Perm
    from yiyang.audit.models import AuditAction
    from yiyang.audit.services import audit_record

    require_perm(actor, Perm.ALERTS_HANDLE)
    sheet = handoff_sheet(alert, disclosure=disclosure_for(actor))
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        entity_type="alert_handoff",
        entity_id=str(alert.public_id),
        summary="查看120交接单",
        fields=["phone", "address", "key_holders", "conditions", "medication", "contacts"],
        district=alert.district_id,
    )
    return sheet
