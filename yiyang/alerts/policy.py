"""Escalation policies as data: defaults from `data/escalation_defaults.json` (with their sources),
overridable per district and severity by `EscalationPolicy` rows. Pure helpers for step timing."""

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from yiyang.alerts.choices import Recipient, Severity

DEFAULTS_FILE = Path(__file__).parent / "data" / "escalation_defaults.json"
PolicyDoc = dict[str, Any]


@cache
def _defaults_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return document


def default_policy(severity: str) -> PolicyDoc:
    """A fresh copy of the default policy for `severity`, stamped with where it came from."""
    document = _defaults_document()
    policy: PolicyDoc = json.loads(json.dumps(document["severities"][severity]))
    policy["origin"] = f"default:{document['version']}"
    policy["severity"] = severity
    return policy


def validate_policy(policy: Any) -> list[tuple[str, str]]:
    """Problems with a policy document as (field, reason); empty when it can be used."""
    problems: list[tuple[str, str]] = []
    if not isinstance(policy, dict):
        return [("policy", _("策略必须是对象"))]
    steps = policy.get("steps")
    if not isinstance(steps, list) or not steps:
        return [("steps", _("至少需要一个步骤"))]
    previous = -1
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            problems.append((f"steps[{index}]", _("步骤必须是对象")))
            continue
        after = step.get("after_seconds")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            problems.append((f"steps[{index}].after_seconds", _("必须是非负整数")))
        elif after <= previous:
            problems.append((f"steps[{index}].after_seconds", _("必须大于上一步骤")))
        else:
            previous = after
        notify = step.get("notify")
        if not isinstance(notify, list) or any(n not in Recipient.values for n in notify):
            problems.append((f"steps[{index}].notify", _("接收方无效")))
    if isinstance(steps[0], dict) and steps[0].get("after_seconds") != 0:
        problems.append(("steps[0].after_seconds", _("第一步必须在0秒")))
    re_after = policy.get("reescalate_after_seconds")
    if re_after is not None and (not isinstance(re_after, int) or isinstance(re_after, bool) or re_after <= 0):
        problems.append(("reescalate_after_seconds", _("必须是正整数或空")))
    re_notify = policy.get("reescalate_notify", [])
    if not isinstance(re_notify, list) or any(n not in Recipient.values for n in re_notify):
        problems.append(("reescalate_notify", _("接收方无效")))
    return problems


def step_due_at(policy: PolicyDoc, started_at: datetime, step: int) -> datetime | None:
    """When step `step` falls due (None when the policy has no such step)."""
    steps = policy.get("steps", [])
    if step >= len(steps):
        return None
    return started_at + timedelta(seconds=int(steps[step]["after_seconds"]))


def step_recipients(policy: PolicyDoc, step: int) -> list[str]:
    steps = policy.get("steps", [])
    return list(steps[step].get("notify", [])) if step < len(steps) else []


def reescalate_interval(policy: PolicyDoc) -> timedelta | None:
    seconds = policy.get("reescalate_after_seconds")
    return timedelta(seconds=int(seconds)) if seconds else None


SEVERITIES = tuple(Severity.values)


def step_label(step: dict[str, Any]) -> str:
    """What a policy step does, in the active language: the step's own label (or its `label_en` in
    English); for a step fixed on an older alert without an English label, the English of the default
    step it copies; else the recipients' names joined with " + ". Stored policies are never changed."""
    from yiyang.core.text import in_language

    label = str(step.get("label") or "")
    english = step.get("label_en")
    if not english:
        english = next(
            (
                default.get("label_en")
                for severity in _defaults_document()["severities"].values()
                for default in severity["steps"]
                if default.get("label") == label and label
            ),
            None,
        )
    recipients = " + ".join(
        str(Recipient(code).label) if code in Recipient.values else str(code) for code in step.get("notify", [])
    )
    if not label:
        return recipients
    return in_language(label, english or recipients)
