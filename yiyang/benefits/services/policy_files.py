"""Loading a district's own policy file: its values for shipped parameters, from a date, versioned.

Guarantees of `policy_file_load`:
- only a district-level account of the district (or a superuser) holding `benefits.policy` loads;
- the file is UTF-8 YAML of at most 512 KB in the OpenFisca parameter format, naming only parameters
  that are shipped, every value dated on or after the file's effective date and carrying its status
  (verified / single_source / example); each refusal names the parameter path and the reason, under
  the field "file"; every field error is reported at once;
- the effective date is not inside a month whose payroll is locked (a locked month is never changed);
- a file identical to the district's latest one (same fingerprint) is refused: it would change nothing;
- the file is stored as the district's next version with its parsed values (`policy.override_to_json`)
  and fingerprint; from then on its values replace the earlier versions' for the paths it names;
- the load is audited; nothing is written when it is refused.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser
from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.benefits.choices import PayrollStatus
from yiyang.benefits.models import PayrollRun, PolicyFile
from yiyang.benefits.policy import PolicyError, fingerprint, override_to_json, parse_district_document
from yiyang.benefits.policy_access import require_policy_changer
from yiyang.core.errors import Conflict, ErrorCollector

MAX_FILE_BYTES = 512 * 1024
NAME_MAX = 200
NOTE_MAX = 500
MAX_DEPTH = 16


def _name(raw: str) -> str:
    name = PurePath((raw or "").replace("\\", "/")).name.strip() or "policy.yaml"
    if len(name) > NAME_MAX:
        suffix = PurePath(name).suffix[:20]
        name = name[: NAME_MAX - len(suffix)] + suffix
    return name


def _text(content: bytes, errors: ErrorCollector) -> str | None:
    if not content:
        errors.add("file", _("请选择要上传的政策文件"), "required")
        return None
    if len(content) > MAX_FILE_BYTES:
        errors.add("file", _("文件超过 512 KB"), "too_large")
        return None
    try:
        return content.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        errors.add("file", _("文件应为 UTF-8 编码的 YAML"), "encoding")
        return None


def _structure_problem(text: str) -> str | None:
    """Why the YAML's shape is refused before it is built: an alias (a small file naming one node many
    times makes any walk over it explode) or nesting deeper than any parameter tree. None if fine or
    unreadable (the parser then says why)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return _("文件不能使用 YAML 锚点和别名（& 与 *），请把每个取值写出来")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _("文件嵌套超过 %(n)s 层，不是参数文件的结构") % {"n": MAX_DEPTH}
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def _locked_through(district: Area) -> date | None:
    """The latest month of the district whose payroll is locked (its 1st), if any."""
    return (
        PayrollRun.objects.filter(district=district, status=PayrollStatus.LOCKED)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


@transaction.atomic
def policy_file_load(
    *, actor: AnyUser, district: Area, name: str, content: bytes, effective_from: date | None, note: str = ""
) -> PolicyFile:
    """Validate and store a district policy file as the district's next version. See the module
    docstring for what is guaranteed. Raises Forbidden, ValidationFailed or Conflict."""
    require_policy_changer(user=actor, district=district)
    assert isinstance(actor, User)  # an anonymous visitor holds no right
    errors = ErrorCollector()
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors.add("note", _("说明最多 500 字"), "max_length")
    if effective_from is None:
        errors.add("effective_from", _("请填写生效日期"), "required")
    else:
        locked = _locked_through(district)
        if locked is not None and (effective_from.year, effective_from.month) <= (locked.year, locked.month):
            errors.add(
                "effective_from",
                _("%(month)s 及以前的发放表已锁定，生效日期应在其后") % {"month": f"{locked:%Y-%m}"},
                "locked_month",
            )
    text = _text(content, errors)
    # Serialise loads of one district: the version number is the next one, the fingerprint compared
    # with the latest stored.
    Area.objects.select_for_update().filter(pk=district.pk).first()
    latest = PolicyFile.objects.filter(district=district).order_by("-version").first()
    version = (PolicyFile.objects.filter(district=district).aggregate(v=Max("version"))["v"] or 0) + 1
    parsed = None
    if text is not None:
        if latest is not None and latest.fingerprint == fingerprint(text):
            errors.add(
                "file",
                _("与本区当前最新的第 %(version)s 版文件完全相同，无需上传") % {"version": latest.version},
                "unchanged",
            )
        elif problem := _structure_problem(text):
            errors.add("file", problem, "invalid_policy")
        elif effective_from is not None:
            try:
                parsed = parse_district_document(text, version=version, effective_from=effective_from)
            except PolicyError as exc:
                where = exc.path or _("文件")
                errors.add("file", f"{where}：{exc.reason}", "invalid_policy")
    errors.raise_if_any(_("政策文件有误"))
    assert parsed is not None and text is not None and effective_from is not None
    try:
        with transaction.atomic():
            row = PolicyFile.objects.create(
                district=district,
                version=version,
                name=_name(name),
                content=text,
                parameters=override_to_json(parsed),
                fingerprint=fingerprint(text),
                effective_from=effective_from,
                note=note,
                loaded_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("同时有人上传了本区政策文件，请刷新后重试")) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity_type="benefit_policy_file",
        entity_id=str(row.public_id),
        summary=f"上传区级补贴政策文件第 {version} 版（{len(parsed.values)} 个参数，{effective_from} 起）",
        fields=sorted(parsed.values),
        district=district,
    )
    return row
