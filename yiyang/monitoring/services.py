"""Changing monitoring rules: a district's override document and an elder's monitoring profile.

Each service checks the named permission, validates the whole input (every problem named by its
path, nothing written when one is found), writes in one transaction and audits (ids and field
names only). The rules resolver notices the change through its fingerprint (`selectors.py`).
"""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import Conflict, ErrorCollector, FieldError, Forbidden
from yiyang.elders.models import Elder
from yiyang.monitoring.access import district_rules_changeable_by
from yiyang.monitoring.choices import MonitoringFlag
from yiyang.monitoring.models import (
    PROFILE_TEXT_MAX,
    DistrictRuleOverride,
    DistrictRuleVersion,
    ElderMonitoringProfile,
)
from yiyang.monitoring.selectors import district_override_document
from yiyang.monitoring.validation import override_problems

NOTE_MAX = 500
PROFILE_TEXT_LABELS = {"conditions": gettext_lazy("既往病史"), "medication": gettext_lazy("长期用药")}


def _clean_note(note: Any, errors: ErrorCollector) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        errors.add("note", _("说明应为文本"), "invalid_type")
        return ""
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors.add("note", _("说明不能超过%(n)s个字符") % {"n": NOTE_MAX}, "max_length")
    return note


def _clean_profile_text(field: str, value: Any, errors: ErrorCollector) -> str:
    """`conditions` or `medication`: free text, stripped, at most `PROFILE_TEXT_MAX` characters."""
    if value is None:
        return ""
    label = PROFILE_TEXT_LABELS[field]
    if not isinstance(value, str):
        errors.add(field, _("%(label)s应为文本") % {"label": label}, "invalid_type")
        return ""
    value = value.strip()
    if len(value) > PROFILE_TEXT_MAX:
        errors.add(field, _("%(label)s不能超过%(n)s个字符") % {"label": label, "n": PROFILE_TEXT_MAX}, "max_length")
    return value


def _flat_keys(document: Mapping[str, Any]) -> dict[str, Any]:
    """`{"rules.hr_high": …, "config": …}`: rules one by one, other blocks whole."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if key == "rules" and isinstance(value, Mapping):
            flat.update({f"rules.{rule_id}": rule for rule_id, rule in value.items()})
        else:
            flat[str(key)] = value
    return flat


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Names of what differs between two override documents, for the audit event (never values)."""
    before, after = _flat_keys(old), _flat_keys(new)
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


@transaction.atomic
def district_rules_set(*, actor: AnyUser, district: Area, document: Any, note: Any = "") -> DistrictRuleOverride:
    """Replace the district's override document with `document` (an empty one restores the defaults).

    Needs `monitoring.rules.change` and an account placed at the district itself (a district officer
    of that district, or a superuser): Forbidden otherwise. The document is checked against the
    defaults and compiled (`validation.override_problems`); every problem is reported with its path
    (`rules.hr_high.params.threshold`) and nothing is written. Otherwise the version number goes up by
    one, the new version joins the history (who, when, note) and the change is audited. The caller
    checks the district is in reach (`access.access_district_rules_by_public_id`).
    """
    require_perm(actor, Perm.MONITORING_RULES_CHANGE)
    if not district_rules_changeable_by(user=actor, district=district):
        raise Forbidden(_("只有区级主管人员可以修改辖区监测规则"))
    errors = ErrorCollector()
    clean_note = _clean_note(note, errors)
    if document is None:
        document = {}
    errors.errors.extend(override_problems(document, root="document"))
    errors.raise_if_any(_("监测规则有误"))
    assert isinstance(actor, User)
    current = DistrictRuleOverride.objects.select_for_update().filter(district=district).first()
    version = 1 if current is None else current.version + 1
    existed = current is not None
    fields = changed_keys({} if current is None else current.document, document)
    # The unique (district, version) and (district) constraints turn a concurrent first save into a
    # conflict the caller can retry, not a lost update (later saves are serialised by the row lock).
    try:
        with transaction.atomic():
            DistrictRuleVersion.objects.create(
                district=district, version=version, document=document, note=clean_note, changed_by=actor
            )
            if current is None:
                current = DistrictRuleOverride.objects.create(
                    district=district, document=document, version=version, note=clean_note, updated_by=actor
                )
    except IntegrityError:
        raise Conflict(
            _("其他人刚刚修改了辖区监测规则，请刷新后重试"),
            errors=[FieldError("document", _("其他人刚刚修改了辖区监测规则，请刷新后重试"), "conflict")],
        ) from None
    assert current is not None
    if existed:
        current.document = document
        current.version = version
        current.note = clean_note
        current.updated_by = actor
        current.save(update_fields=["document", "version", "note", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="district_rules",
        entity_id=str(current.public_id),
        summary=f"修改辖区监测规则（{district.name}，第{version}版）",
        fields=[f"document.{key}" for key in fields] or ["document"],
        district=district,
    )
    return current


def _clean_flags(flags: Any, errors: ErrorCollector) -> list[str]:
    if flags is None:
        return []
    if not isinstance(flags, list | tuple):
        errors.add("flags", _("监测标记应为列表"), "invalid_type")
        return []
    clean: list[str] = []
    for index, flag in enumerate(flags):
        if flag not in MonitoringFlag.values:
            errors.add(
                f"flags[{index}]",
                _("未知的监测标记“%(v)s”；可用：%(keys)s") % {"v": flag, "keys": "、".join(MonitoringFlag.values)},
                "invalid_choice",
            )
        elif flag not in clean:
            clean.append(flag)
    return sorted(clean)


@transaction.atomic
def elder_monitoring_profile_set(
    *,
    actor: AnyUser,
    elder: Elder,
    flags: Any,
    override: Any,
    note: Any = "",
    conditions: Any = "",
    medication: Any = "",
) -> ElderMonitoringProfile:
    """Set the elder's monitoring flags (copd, dementia), elder-level override document, and the
    conditions and long-term medication the 120 hand-off sheet shows (free text, at most 500
    characters each, stripped).

    Needs `monitoring.profile.change` (Forbidden). The caller checks the elder is in reach
    (`access.access_elder_profile_by_public_id`). Flags must come from `MonitoringFlag`; the
    override is checked against the defaults and compiled on top of the district's current override
    with the flags, each problem named by its path; nothing is written on a problem. Audited with
    the names of what changed (flags, override keys, conditions, medication, note), never the values.
    """
    require_perm(actor, Perm.MONITORING_PROFILE_CHANGE)
    errors = ErrorCollector()
    clean_flags = _clean_flags(flags, errors)
    clean_note = _clean_note(note, errors)
    texts = {
        "conditions": _clean_profile_text("conditions", conditions, errors),
        "medication": _clean_profile_text("medication", medication, errors),
    }
    if override is None:
        override = {}
    problems: list[FieldError] = override_problems(
        override, root="override", flags=clean_flags, district=district_override_document(district_id=elder.district_id)
    )
    errors.errors.extend(problems)
    errors.raise_if_any(_("监测设置有误"))
    assert isinstance(actor, User)
    # Lock the elder's row: with no profile yet there is no profile row to lock, and two first
    # saves would otherwise both insert.
    Elder.objects.select_for_update().filter(pk=elder.pk).values_list("pk", flat=True).first()
    profile = ElderMonitoringProfile.objects.select_for_update().filter(elder=elder).first()
    if profile is None:
        changed = ["flags"] if clean_flags else []
        changed += [f"override.{key}" for key in changed_keys({}, override)]
        changed += [name for name, text in texts.items() if text]
        changed += ["note"] if clean_note else []
        profile = ElderMonitoringProfile.objects.create(
            elder=elder, flags=clean_flags, override=override, note=clean_note, updated_by=actor, **texts
        )
    else:
        changed = ["flags"] if sorted(profile.flags) != clean_flags else []
        changed += [f"override.{key}" for key in changed_keys(profile.override, override)]
        changed += [name for name, text in texts.items() if getattr(profile, name) != text]
        changed += ["note"] if profile.note != clean_note else []
        profile.flags = clean_flags
        profile.override = override
        profile.conditions = texts["conditions"]
        profile.medication = texts["medication"]
        profile.note = clean_note
        profile.updated_by = actor
        profile.revision = F("revision") + 1
        profile.save(
            update_fields=[
                "flags",
                "override",
                "conditions",
                "medication",
                "note",
                "updated_by",
                "revision",
                "updated_at",
            ]
        )
        profile.refresh_from_db(fields=["revision"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        entity_type="monitoring_profile",
        entity_id=str(elder.public_id),
        summary="修改老年人监测设置",
        fields=changed,
        district=elder.district_id,
    )
    return profile


def elder_monitoring_profile_view(*, actor: AnyUser, elder: Elder) -> None:
    """Record that the account read the elder's monitoring profile (its flags, conditions and
    medication are health data)."""
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        entity_type="monitoring_profile",
        entity_id=str(elder.public_id),
        summary="查看老年人监测设置",
        fields=["flags", "override", "conditions", "medication"],
        district=elder.district_id,
    )
