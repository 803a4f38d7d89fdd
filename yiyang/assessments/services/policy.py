"""Loading policy data for a scale (e.g. the LTC group bands and combination table, or GB/T 42195's
rule-stacking switch). A version is checked by the scale layer's own policy loader before it is
stored, and applies to assessments dated on or after its `effective_from`."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, ScopeKind, require_perm, scope_for
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.assessments import scoring
from yiyang.assessments.models import PolicyVersion
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.errors import ErrorCollector, FieldError, Forbidden, ValidationFailed

SOURCE_MAX = 2000
DOCUMENT_MAX_BYTES = 512 * 1024
# Keys of a policy document that are not the scale's policy data itself.
DOCUMENT_KEYS = frozenset({"scale", "effective_from", "source", "verified", "note", "settings"})


@dataclass
class PolicyDocument:
    """A policy version as uploaded: where it comes from, from when it applies, and its values."""

    scale: Any = None
    effective_from: Any = None
    source: Any = None
    verified: Any = None
    note: Any = ""
    data: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] | None = None


def policy_document_parse(content: bytes) -> PolicyDocument:
    """Read a JSON or YAML policy document (one mapping). Keys besides `scale`, `effective_from`,
    `source`, `verified`, `note` and `settings` are the scale's policy data (`group_bands`,
    `combination`, `bands`). Raises ValidationFailed on field `file` if it cannot be read."""
    if len(content) > DOCUMENT_MAX_BYTES:
        raise ValidationFailed.single("file", _("文件不能超过512KB"), "too_large")
    try:
        raw = yaml.safe_load(content.decode("utf-8"))  # JSON is YAML too
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValidationFailed.single(
            "file", _("无法读取文件（应为 UTF-8 编码的 JSON 或 YAML）：%(e)s") % {"e": exc}
        ) from exc
    if not isinstance(raw, dict):
        raise ValidationFailed.single("file", _("文件内容应为一个对象（键值对）"))
    settings = raw.get("settings")
    return PolicyDocument(
        scale=raw.get("scale"),
        effective_from=raw.get("effective_from"),
        source=raw.get("source"),
        verified=raw.get("verified"),
        note=raw.get("note", "") or "",
        data={key: value for key, value in raw.items() if key not in DOCUMENT_KEYS},
        settings=settings if settings is not None else None,
    )


def _fingerprint(data: Mapping[str, Any], settings: Mapping[str, Any]) -> str:
    canonical = json.dumps({"data": data, "settings": settings}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def policy_version_require_loader(actor: AnyUser) -> None:
    """Raise Forbidden unless `actor` may load policy versions: `assessments.policy` held by a
    district-level account (or a superuser). Views call it before reading the body."""
    require_perm(actor, Perm.POLICY_MANAGE)
    if scope_for(actor).kind not in (ScopeKind.ALL, ScopeKind.DISTRICT):
        raise Forbidden(_("只有区级主管人员可以导入政策数据"))


@transaction.atomic
def policy_version_load(*, actor: AnyUser, document: PolicyDocument) -> PolicyVersion:
    """Store a new policy version for one scale, for the actor's district (every district for a
    superuser).

    Requires `assessments.policy` (Forbidden). Checks that the scale exists, the date is a date,
    the source is given and `verified` is true or false, that at least some policy data or settings
    are given, and the data and settings with the scale layer's own loader (fields named
    `policy.group_bands.C1[2].max`, `settings.stack_level_rules`…). Every problem is reported at once
    and nothing is written. The version replaces the previous one entirely for assessments dated
    from `effective_from`; existing assessments keep the version they were scored with. Audited.
    """
    policy_version_require_loader(actor)
    scope = scope_for(actor)
    errors = ErrorCollector()
    scale = document.scale
    if not isinstance(scale, str) or scale not in scoring.SCALE_CODES:
        errors.add(
            "scale",
            _("未知的评估量表“%(code)s”；可用：%(known)s") % {"code": scale, "known": "、".join(scoring.SCALE_CODES)},
            "unknown_scale",
        )
        scale = None
    effective_from = _as_date(document.effective_from)
    if effective_from is None:
        errors.add("effective_from", _("生效日期应为 YYYY-MM-DD 格式的日期"), "invalid_date")
    source = document.source.strip() if isinstance(document.source, str) else ""
    if not source:
        errors.add("source", _("请写明政策数据的来源（文件名、文号或网址）"), "required")
    elif len(source) > SOURCE_MAX:
        errors.add("source", _("来源不能超过%(n)s个字符") % {"n": SOURCE_MAX}, "max_length")
    if not isinstance(document.verified, bool):
        errors.add("verified", _("请说明是否已对照正式文本核实（true 或 false）"), "required")
    note = document.note.strip() if isinstance(document.note, str) else ""
    settings = document.settings
    if settings is not None and not isinstance(settings, Mapping):
        errors.add("settings", _("设置应为对象（键值对）"), "invalid")
        settings = None
    if not document.data and not settings:
        errors.add("data", _("至少需要给出一项政策数据或设置"), "required")
    policy: dict[str, Any] = {}
    if document.data:
        policy = {**document.data, "source": source, "verified": document.verified is True}
        if note:
            policy["note"] = note
    if scale is not None:
        for error in scoring.policy_check(scale, data=policy or None, settings=settings):
            errors.errors.append(FieldError(error.field, error.reason, error.code, error.row))
    errors.raise_if_any(_("政策数据有误"))
    assert isinstance(actor, User) and effective_from is not None and scale is not None
    district_id = None if scope.kind is ScopeKind.ALL else scope.district_id
    version = PolicyVersion.objects.create(
        scale=scale,
        district_id=district_id,
        data=policy,
        scoring_settings=dict(settings or {}),
        source=source,
        verified=document.verified is True,
        note=note,
        effective_from=effective_from,
        fingerprint=_fingerprint(policy, settings or {}),
        loaded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        entity_type="policy_version",
        entity_id=str(version.public_id),
        summary=f"导入评估政策数据（{scale}，{effective_from.isoformat()}起生效）",
        fields=sorted([*policy.keys(), *(["settings"] if settings else [])]),
        district=district_id,
    )
    return version
