"""Alerts in words: what a rule saw, what each timeline event did, whom each escalation step
tells and how each delivery went. Pure functions of plain data (an alert's rule, detail dict and
policy snapshot), so the sentences are tested as tables; pages and later domains call them
instead of printing dicts.

A vital-sign alert's threshold is the one the engine recorded in the detail (the elder's effective
rule: district override, COPD scale); alerts raised before the engine recorded it fall back to the
monitoring defaults (`monitoring/engine/data/rules.yaml`). Units come from the LOINC codes of the
engine contract.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from yiyang.alerts.choices import (
    ALERT_TYPE_LABELS,
    AlertStatus,
    CloseCode,
    DeliveryStatus,
    DispatchTarget,
    EventKind,
    Recipient,
    Severity,
)
from yiyang.monitoring.engine import contract
from yiyang.monitoring.engine.rules import load_default_rules

# (name, unit) of each vital sign the engine alerts on, by LOINC code (units as in the contract).
VITALS = {
    contract.HEART_RATE: (gettext_lazy("心率"), gettext_lazy("次/分")),
    contract.RESPIRATORY_RATE: (gettext_lazy("呼吸频率"), gettext_lazy("次/分")),
    contract.SPO2: (gettext_lazy("血氧饱和度"), "%"),
    contract.BODY_TEMPERATURE: (gettext_lazy("体温"), "℃"),
    contract.SYSTOLIC_BP: (gettext_lazy("收缩压"), "mmHg"),
    contract.DIASTOLIC_BP: (gettext_lazy("舒张压"), "mmHg"),
}
COMPARISONS = {
    "<=": gettext_lazy("不高于阈值"),
    "<": gettext_lazy("低于阈值"),
    ">=": gettext_lazy("不低于阈值"),
    ">": gettext_lazy("高于阈值"),
}
CHANNEL_LABELS = {
    "sms": gettext_lazy("短信"),
    "voice": gettext_lazy("语音电话"),
    "console": gettext_lazy("控制台"),
    "-": gettext_lazy("未发送"),
}
DOWNGRADE_REASONS = {
    "cancelled": gettext_lazy("老人在确认时限内取消"),
    "movement": gettext_lazy("跌倒后检测到活动"),
}
# Error texts the notify service itself writes; a gateway's own error is shown as it came.
# Every error text the services and the built-in channels record (yiyang/alerts/services/notify.py,
# yiyang/alerts/channels/); a real gateway's own text is shown as it came.
DELIVERY_ERRORS = {
    "no recipient registered": gettext_lazy("未登记接收人"),
    "no phone number": gettext_lazy("未登记电话号码"),
}
DETAIL_KEY_LABELS = {
    "device_id": gettext_lazy("设备"),
    "code": gettext_lazy("指标"),
    "value": gettext_lazy("数值"),
    "count": gettext_lazy("读数次数"),
    "since": gettext_lazy("开始时间"),
    "deadline": gettext_lazy("判定时间"),
}
# Keys every raise carries and that the page shows elsewhere (the repeat count of the alert).
_SILENT_KEYS = frozenset({"repeat"})


@dataclass(frozen=True)
class DeviceLabel:
    """What the page knows about a device named in a detail: its kind and where it is installed."""

    kind: str = ""
    location: str = ""


@dataclass(frozen=True)
class Described:
    """A detail dict in words: one sentence, plus "key: value" lines for keys no rule explains."""

    sentence: str
    extra: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return _sentences([self.sentence, *self.extra]) if self.sentence else _sentences(self.extra)


def _sentences(parts: Iterable[str]) -> str:
    return pgettext("separator between sentences", "；").join(parts)


def _clauses(parts: Iterable[str]) -> str:
    return pgettext("separator between clauses", "，").join(parts)


def _items(parts: Iterable[str]) -> str:
    return pgettext("separator between list items", "、").join(parts)


def number(value: Any) -> str:
    """A number as people write it: no trailing `.0`, at most two decimals, locale separators."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return plain(value)
    if isinstance(value, float) and not value.is_integer():
        return formats.number_format(round(value, 2), decimal_pos=None, use_l10n=True, force_grouping=True)
    return formats.number_format(int(value), use_l10n=True, force_grouping=True)


def duration(seconds: Any) -> str:
    """Seconds in the largest units that fit, at most two: "45 秒", "5 分钟", "2 小时 30 分钟",
    "3 天 4 小时" (seconds are dropped from a minute on, minutes from a day on)."""
    try:
        total = round(float(seconds))
    except (TypeError, ValueError):
        return plain(seconds)
    if total < 60:
        return _("%(n)s 秒") % {"n": number(total)}
    minutes, _s = divmod(total, 60)
    if minutes < 60:
        return _("%(n)s 分钟") % {"n": number(minutes)}
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        if hours:
            return _("%(d)s 天 %(h)s 小时") % {"d": number(days), "h": number(hours)}
        return _("%(n)s 天") % {"n": number(days)}
    if minutes:
        return _("%(h)s 小时 %(m)s 分钟") % {"h": number(hours), "m": number(minutes)}
    return _("%(n)s 小时") % {"n": number(hours)}


def moment(value: Any) -> str:
    """An ISO timestamp (as the engine writes them) or datetime in local time, "2025-06-01 08:00"."""
    at = value if isinstance(value, datetime) else parse_datetime(value) if isinstance(value, str) else None
    if at is None:
        return plain(value)
    if timezone.is_aware(at):
        at = timezone.localtime(at)
    return at.strftime("%Y-%m-%d %H:%M")


def plain(value: Any) -> str:
    """Any JSON value as text a person reads: lists joined, mappings as "key: value", never a repr."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, Mapping):
        return _clauses(f"{k}: {plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple | set):
        return _items(plain(v) for v in value) or "—"
    return str(value)


def severity_label(value: Any) -> str:
    return str(Severity(value).label) if value in Severity.values else plain(value)


SEVERITY_TONES = {Severity.EMERGENCY: "danger", Severity.URGENT: "warning", Severity.WATCH: "info"}


def severity_tone(value: Any) -> str:
    """The Bootstrap colour a severity is shown in (technical and unknown: secondary)."""
    return SEVERITY_TONES.get(value, "secondary")


def recipient_label(value: Any) -> str:
    return str(Recipient(value).label) if value in Recipient.values else plain(value)


def recipients_label(values: Any) -> str:
    if not isinstance(values, list | tuple) or not values:
        return str(_("无"))
    return _items(recipient_label(v) for v in values)


def channel_label(value: str) -> str:
    return str(CHANNEL_LABELS.get(value, value or "—"))


def device_text(device_id: Any, devices: Mapping[int, DeviceLabel] | None = None) -> str:
    """ "设备 #106（智能手表，卧室）"; the parenthesis only with what is known of the device."""
    label = (devices or {}).get(device_id) if isinstance(device_id, int) else None
    known = [part for part in (label.kind, label.location) if part] if label else []
    text = _("设备 #%(id)s") % {"id": plain(device_id)}
    return _("%(text)s（%(details)s）") % {"text": text, "details": _clauses(known)} if known else text


def _rule_params(rule: str, alert_type: str) -> dict[str, Any]:
    """The default parameters of `rule` (or of the first rule raising `alert_type` when the rule
    id is not one of the defaults)."""
    rules: dict[str, Any] = load_default_rules().get("rules", {})
    if rule in rules:
        return dict(rules[rule].get("params") or {})
    for entry in rules.values():
        if entry.get("alert_type") == alert_type:
            return dict(entry.get("params") or {})
    return {}


def _vital(code: Any) -> tuple[str, str]:
    name, unit = VITALS.get(code, (plain(code), ""))
    return str(name), str(unit)


def _measure(value: Any, unit: str) -> str:
    return f"{number(value)} {unit}".strip()


def _threshold_sentence(
    detail: Mapping[str, Any], params: Mapping[str, Any], used: set[str], at: datetime | None
) -> str:
    used.update({"code", "value", "count", "since"})
    name, unit = _vital(detail.get("code", params.get("code")))
    parts = [f"{name} {_measure(detail.get('value'), unit)}"]
    used.add("threshold")
    if "threshold" in detail and params.get("op") in COMPARISONS:
        # The engine records the threshold in force for this elder (district override, COPD scale).
        parts.append(f"{COMPARISONS[params['op']]} {_measure(detail['threshold'], unit)}")
    elif "threshold" in params and params.get("op") in COMPARISONS:
        limit = f"{COMPARISONS[params['op']]} {_measure(params['threshold'], unit)}"
        if "threshold_scale2" in params:
            limit += _("（慢阻肺老人 %(limit)s）") % {"limit": _measure(params["threshold_scale2"], unit)}
        parts.append(limit)
    since = parse_datetime(detail["since"]) if isinstance(detail.get("since"), str) else None
    if since is not None and at is not None and (at - since).total_seconds() >= 60:
        parts.append(_("持续 %(d)s") % {"d": duration((at - since).total_seconds())})
    if isinstance(detail.get("count"), int) and detail["count"] > 1:
        parts.append(_("共 %(n)s 次读数") % {"n": number(detail["count"])})
    if since is not None and "since" in detail:
        parts.append(_("自 %(t)s 起") % {"t": moment(detail["since"])})
    return _clauses(parts)


def _temperature(detail: Mapping[str, Any], params: Mapping[str, Any], used: set[str]) -> str:
    used.update({"code", "value", "criterion", "baseline"})
    text = _("体温 %(v)s") % {"v": _measure(detail.get("value"), "℃")}
    criterion = detail.get("criterion")
    if criterion == "once":
        why = _("单次不低于 %(t)s") % {"t": _measure(params.get("once"), "℃")}
    elif criterion == "repeated":
        why = _("连续 %(n)s 次不低于 %(t)s") % {
            "n": number(params.get("repeat_count")),
            "t": _measure(params.get("repeated"), "℃"),
        }
    elif criterion == "baseline":
        why = _("比个人基线高出 %(t)s 以上") % {"t": _measure(params.get("baseline_rise"), "℃")}
    else:
        why = plain(criterion)
    if "baseline" in detail:
        why += _("（个人基线 %(b)s）") % {"b": _measure(detail["baseline"], "℃")}
    return f"{text}，{why}"


def _news2(detail: Mapping[str, Any], params: Mapping[str, Any], used: set[str]) -> str:
    used.update({"score", "params", "red"})
    text = _("综合预警评分 %(score)s 分（%(n)s 项指标）") % {
        "score": number(detail.get("score")),
        "n": number(detail.get("params")),
    }
    if detail.get("red"):
        text += _("，含单项 %(n)s 分") % {"n": number(params.get("red_score", 3))}
    if "emergency_at" in params and "urgent_at" in params:
        text += _("；紧急阈值 %(e)s 分，重要阈值 %(u)s 分") % {
            "e": number(params["emergency_at"]),
            "u": number(params["urgent_at"]),
        }
    return text


def describe_detail(
    *,
    alert_type: str,
    rule: str,
    detail: Mapping[str, Any] | None,
    at: datetime | None = None,
    devices: Mapping[int, DeviceLabel] | None = None,
) -> Described:
    """What the rule saw, in the UI language: "跌倒检测：设备 #106（智能手表，卧室）报告跌倒",
    "心率 38 次/分，不高于阈值 40 次/分，持续 10 分钟". Covers the detail keys of every rule of the
    monitoring engine; a key no rule explains becomes a "key: value" line. `at` (when the rule
    fired) gives durations; `devices` names the devices by id. Never a Python repr."""
    detail = dict(detail or {})
    params = _rule_params(rule, alert_type)
    used: set[str] = set(_SILENT_KEYS)
    get = detail.get
    if alert_type in ("sos", "fall"):
        used.add("device_id")
        device = device_text(get("device_id"), devices) if "device_id" in detail else _("设备")
        if alert_type == "sos":
            sentence = _("紧急呼叫：%(device)s报告老人按下呼叫") % {"device": device}
        else:
            sentence = _("跌倒检测：%(device)s报告跌倒") % {"device": device}
    elif alert_type == "temperature":
        sentence = _temperature(detail, params, used)
    elif alert_type == "news2":
        sentence = _news2(detail, params, used)
    elif alert_type == "battery_low":
        used.update({"device_id", "battery"})
        sentence = _("%(device)s电量 %(v)s%%，不高于阈值 %(t)s%%") % {
            "device": device_text(get("device_id"), devices),
            "v": number(get("battery")),
            "t": number(params.get("threshold")),
        }
    elif alert_type == "device_offline":
        used.update({"device_id", "last_seen", "interval_s"})
        sentence = _("%(device)s自 %(t)s 起无消息（正常约每 %(i)s上报一次，超过 %(k)s 倍视为离线）") % {
            "device": device_text(get("device_id"), devices),
            "t": moment(get("last_seen")),
            "i": duration(get("interval_s")),
            "k": number(params.get("factor")),
        }
    elif alert_type == "not_worn":
        used.add("deadline")
        sentence = _("手表未佩戴超过 %(d)s（%(t)s 判定）") % {
            "d": duration(params.get("after_s")),
            "t": moment(get("deadline")),
        }
    elif alert_type == "inactivity":
        used.update({"deadline", "last_activity", "inactive_min", "personal"})
        basis = _("按个人活动规律") if get("personal") else _("按人群默认值")
        if "inactive_min" in detail:
            sentence = _("已 %(d)s无活动（最近活动 %(t)s），超过白天无活动上限（%(basis)s，最长 %(cap)s）") % {
                "d": duration(float(get("inactive_min") or 0) * 60),
                "t": moment(get("last_activity")),
                "basis": basis,
                "cap": duration(params.get("cap_s")),
            }
        else:
            sentence = _("白天长时间无活动（%(t)s 判定）") % {"t": moment(get("deadline"))}
    elif alert_type == "late_wakeup":
        used.update({"deadline", "personal"})
        sentence = _("截至 %(t)s 仍未起床（%(basis)s，平时起床时间后 %(m)s）") % {
            "t": moment(get("deadline")),
            "basis": _("按个人作息") if get("personal") else _("按人群默认值"),
            "m": duration(params.get("margin_s")),
        }
    elif alert_type == "night_bed_exit":
        used.add("deadline")
        sentence = _("夜间离床超过 %(d)s且无其他活动（%(t)s 判定）") % {
            "d": duration(params.get("after_s")),
            "t": moment(get("deadline")),
        }
    elif alert_type == "night_door_exit":
        used.add("deadline")
        sentence = _("夜间 %(start)s–%(end)s 开门外出，%(d)s内未返回（%(t)s 判定）") % {
            "start": plain(params.get("start")),
            "end": plain(params.get("end")),
            "d": duration(params.get("reentry_s")),
            "t": moment(get("deadline")),
        }
    elif alert_type == "night_bathroom":
        used.update({"visits", "limit", "nights"})
        sentence = _("夜间如厕 %(v)s 次，超过上限 %(l)s 次，已连续 %(n)s 晚") % {
            "v": number(get("visits")),
            "l": number(get("limit")),
            "n": number(get("nights")),
        }
    elif alert_type == "housebound":
        used.update({"activity", "p5", "days", "days_without_going_out"})
        sentence = _("当日活动 %(a)s 次，低于个人第 5 百分位 %(p)s 次，已连续 %(d)s 天") % {
            "a": number(get("activity")),
            "p": number(get("p5")),
            "d": number(get("days")),
        }
        if get("days_without_going_out"):
            sentence += _("；%(n)s 天未出门") % {"n": number(get("days_without_going_out"))}
    elif "code" in detail and "value" in detail:
        sentence = _threshold_sentence(detail, params, used, at)
    else:
        sentence = ""
    repeat = get("repeat")
    if isinstance(repeat, int) and repeat > 0:
        sentence += _("（第 %(n)s 次重复）") % {"n": number(repeat)}
    extra = [
        f"{DETAIL_KEY_LABELS.get(k, k)}: {_extra_value(k, v, devices)}" for k, v in detail.items() if k not in used
    ]
    return Described(sentence=sentence, extra=extra)


def _extra_value(key: str, value: Any, devices: Mapping[int, DeviceLabel] | None) -> str:
    if key == "device_id":
        return device_text(value, devices)
    if isinstance(value, str) and parse_datetime(value) is not None:
        return moment(value)
    return plain(value)


def alert_title(alert_type: str) -> str:
    return str(ALERT_TYPE_LABELS.get(alert_type, alert_type))


def stage_text(stage: Any) -> str:
    """A notification stage in words, with steps numbered from 1 as in the policy's step list
    (stages count from 0): "emergency:s0" → "紧急 第 1 步", "emergency:re2" → "紧急 再升级第 2 次",
    "dispatch1:helper" → "第 1 次派遣：助老员"."""
    if not isinstance(stage, str) or not stage:
        return plain(stage)
    head, _sep, tail = stage.partition(":")
    if head.startswith("dispatch"):
        target = str(DispatchTarget(tail).label) if tail in DispatchTarget.values else plain(tail)
        nth = head.removeprefix("dispatch")
        return _("第 %(n)s 次派遣：%(target)s") % {"n": nth or "1", "target": target}
    if tail.startswith("s") and tail[1:].isdigit():
        return _("%(severity)s 第 %(n)s 步") % {"severity": severity_label(head), "n": number(int(tail[1:]) + 1)}
    if tail.startswith("re") and tail[2:].isdigit():
        return _("%(severity)s 再升级第 %(n)s 次") % {"severity": severity_label(head), "n": tail[2:]}
    return stage


def event_text(
    *,
    kind: str,
    detail: Mapping[str, Any] | None,
    alert_type: str = "",
    devices: Mapping[int, DeviceLabel] | None = None,
) -> str:
    """One timeline event's detail in words (empty when the kind says it all)."""
    d = dict(detail or {})
    if kind == EventKind.OPENED:
        what = describe_detail(
            alert_type=alert_type, rule=str(d.get("rule", "")), detail=d.get("detail"), devices=devices
        )
        return _sentences(p for p in (severity_label(d.get("severity")) if "severity" in d else "", str(what)) if p)
    if kind == EventKind.REPEATED:
        what = describe_detail(
            alert_type=alert_type, rule=str(d.get("rule", "")), detail=d.get("detail"), devices=devices
        )
        head = _("再次触发 %(n)s 次，累计重复 %(total)s 次") % {
            "n": number(d.get("repeats", 1)),
            "total": number(d.get("repeat_count", 0)),
        }
        return _sentences(p for p in (head, str(what)) if p)
    if kind in (EventKind.UPGRADED, EventKind.DOWNGRADED):
        text = f"{severity_label(d.get('from'))} → {severity_label(d.get('to'))}"
        if d.get("reason"):
            text += _("（%(reason)s）") % {"reason": DOWNGRADE_REASONS.get(d["reason"], d["reason"])}
        return text
    if kind == EventKind.NOTIFIED:
        return _("%(stage)s：通知 %(who)s；已发送 %(sent)s，失败 %(failed)s，无接收人 %(skipped)s") % {
            "stage": stage_text(d.get("stage")),
            "who": recipients_label(d.get("recipients")),
            "sent": number(d.get("sent", 0)),
            "failed": number(d.get("failed", 0)),
            "skipped": number(d.get("skipped", 0)),
        }
    if kind == EventKind.ESCALATED:
        if d.get("reason") == "acknowledged_not_resolved":
            head = _("已响应但仍未处置，再次升级")
        else:
            step = d.get("step")
            # Stored steps count from 0; the page numbers the policy's steps from 1.
            head = _("第 %(n)s 步") % {"n": number(step + 1) if isinstance(step, int) else plain(step)}
        text = _("%(head)s：通知 %(who)s") % {"head": head, "who": recipients_label(d.get("recipients"))}
        late = d.get("late_ms")
        if isinstance(late, int | float) and late >= 1000:
            text += _("（晚于计划 %(d)s）") % {"d": duration(late / 1000)}
        return text
    if kind == EventKind.ACKNOWLEDGED:
        text = _("产生后 %(d)s响应") % {"d": duration(d.get("seconds"))} if "seconds" in d else ""
        if d.get("by") == "dispatch":
            text += _("（派遣时一并响应）")
        return text
    if kind == EventKind.DISPATCHED:
        target = d.get("target")
        text = _("派遣：%(target)s") % {
            "target": DispatchTarget(target).label if target in DispatchTarget.values else plain(target)
        }
        if d.get("handoff_sheet"):
            text += _("（附 120 交接单）")
        return text
    if kind == EventKind.ON_SCENE:
        return _("产生后 %(d)s到场") % {"d": duration(d.get("seconds"))} if "seconds" in d else ""
    if kind == EventKind.CLOSED:
        code = d.get("close_code")
        text = str(CloseCode(code).label) if code in CloseCode.values else plain(code)
        previous = d.get("from")
        if previous in AlertStatus.values:
            text += _("（关闭前：%(status)s）") % {"status": AlertStatus(previous).label}
        return text
    return plain(d) if d else ""


@dataclass(frozen=True)
class PolicyStep:
    """One step of an alert's escalation policy: when, whom, and whether it has been taken."""

    index: int
    when: str
    recipients: str
    note: str
    taken: bool


def policy_steps(policy: Mapping[str, Any] | None, taken_up_to: int) -> list[PolicyStep]:
    """The steps of a policy snapshot in words ("立即" / "60 秒后未响应"), with the recipients'
    labels; steps up to `taken_up_to` (the alert's escalation step) are marked taken."""
    rows: list[PolicyStep] = []
    for index, step in enumerate((policy or {}).get("steps") or []):
        if not isinstance(step, Mapping):
            continue
        after = step.get("after_seconds", 0)
        when = str(_("立即")) if not after else _("%(d)s后未响应") % {"d": duration(after)}
        rows.append(
            PolicyStep(
                index=index,
                when=when,
                recipients=recipients_label(step.get("notify")),
                note=str(step.get("label") or ""),
                taken=index <= taken_up_to,
            )
        )
    return rows


def reescalation_text(policy: Mapping[str, Any] | None) -> str:
    """ "已响应 30 分钟仍未处置：每 30 分钟再通知 站点主管、助老员", or empty when the policy has none."""
    seconds = (policy or {}).get("reescalate_after_seconds")
    if not seconds:
        return ""
    return _("已响应但 %(d)s仍未处置：每 %(d)s再通知 %(who)s") % {
        "d": duration(seconds),
        "who": recipients_label((policy or {}).get("reescalate_notify")),
    }


def delivery_status_badge(status: str) -> str:
    """The Bootstrap badge class of a delivery status: a failure stands out."""
    badges: dict[str, str] = {
        DeliveryStatus.SENT: "text-bg-success",
        DeliveryStatus.FAILED: "text-bg-danger",
        DeliveryStatus.SKIPPED: "text-bg-warning",
    }
    return badges.get(status, "text-bg-secondary")


def delivery_error(error: str) -> str:
    return str(DELIVERY_ERRORS.get(error, error))
