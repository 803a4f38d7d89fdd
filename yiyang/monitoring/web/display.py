"""Turning rule values and documents into text for the pages."""

import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from yiyang.alerts.choices import Severity
from yiyang.alerts.presentation import severity_label
from yiyang.monitoring.selectors import RuleRow

# Readable names for the parameter keys in rules.yaml (matched on the last part of the path); the raw
# key stays beside the label because the override editor is written in raw keys. Unknown keys: raw only.
PARAM_LABELS = {
    "enabled": gettext_lazy("启用"),
    "severity": gettext_lazy("严重程度"),
    "timezone": gettext_lazy("时区"),
    "rearm_s": gettext_lazy("重复提醒间隔"),
    "threshold": gettext_lazy("阈值"),
    "op": gettext_lazy("比较方式"),
    "code": gettext_lazy("指标代码"),
    "min_count": gettext_lazy("最少读数次数"),
    "min_span_s": gettext_lazy("最短持续时间"),
    "max_gap_s": gettext_lazy("读数最大间隔"),
    "clear_margin": gettext_lazy("解除余量"),
    "clear_s": gettext_lazy("解除所需时间"),
    "confirm_window_s": gettext_lazy("确认时限"),
    "cancel_severity": gettext_lazy("取消后的严重程度"),
    "movement_severity": gettext_lazy("有活动时的严重程度"),
    "future_tolerance_s": gettext_lazy("设备时间超前容差"),
    "day_start": gettext_lazy("白天开始"),
    "day_end": gettext_lazy("白天结束"),
    "night_start": gettext_lazy("夜间开始"),
    "night_end": gettext_lazy("夜间结束"),
    "learning_days": gettext_lazy("学习天数"),
    "baseline_days": gettext_lazy("个人基线天数"),
    "min_signal": gettext_lazy("最低信号强度"),
    "min": gettext_lazy("下限"),
    "max": gettext_lazy("上限"),
    "inhibit_s": gettext_lazy("抑制时长"),
}

BLOCK_LABELS = {
    "config": gettext_lazy("通用设置"),
    "validity": gettext_lazy("读数有效性"),
    "suppression": gettext_lazy("暂停与抑制"),
}


def label_of(name: str) -> str:
    """The readable label of a value's dotted path (`params.rearm_s` → 重复提醒间隔), "" if unknown."""
    label = PARAM_LABELS.get(name.rsplit(".", 1)[-1])
    return str(label) if label is not None else ""


def duration(seconds: float) -> str:
    """Seconds in the largest *whole* unit: 3600 → 1 小时, 300 → 5 分钟, 90 → 90 秒. Exact, unlike
    `alerts.presentation.duration` (which rounds to two units for elapsed times): a rule setting is
    read to be changed."""
    if seconds and seconds % 3600 == 0:
        return _("%(n)s 小时") % {"n": int(seconds // 3600)}
    if seconds and seconds % 60 == 0:
        return _("%(n)s 分钟") % {"n": int(seconds // 60)}
    return _("%(n)s 秒") % {"n": seconds}


def show(value: Any) -> str:
    """A rule value as written in a rules document: 131, true, "07:00" as 07:00, lists as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False)


def words(name: str, value: Any) -> str:
    """A rule value in words: severities by their label, booleans 是/否, seconds (keys ending `_s`)
    as 5 分钟 with the number kept, lists joined; anything else as written in the document."""
    key = name.rsplit(".", 1)[-1]
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key.endswith("severity") and isinstance(value, str) and value in Severity.values:
        return severity_label(value)
    if key.endswith("_s") and isinstance(value, int | float):
        text = duration(value)
        return text if value < 60 else f"{text} · {value}"
    if isinstance(value, list):
        return (
            pgettext("separator between list items", "、").join(words(name, item) for item in value) if value else "—"
        )
    return show(value)


def document_text(document: Any) -> str:
    """An override document for the editor ("" for none)."""
    if not document:
        return ""
    return json.dumps(document, ensure_ascii=False, indent=2)


def display_rows(rows: list[RuleRow]) -> list[dict[str, Any]]:
    """Rows with their values already put into words, for the templates: each value with its raw
    key (`name`) and readable `label` ("" when the key has none), and per row its readable `label`,
    the effective severity's label and how many values the override sets."""
    shown = []
    for row in rows:
        values = [
            {
                "name": value.name,
                "label": label_of(value.name),
                "default": words(value.name, value.default),
                "overridden": value.overridden,
                "override": words(value.name, value.override) if value.overridden else "",
                "effective": words(value.name, value.effective),
                "changed": value.effective != value.default,
            }
            for value in row.values
        ]
        severity = next((v.effective for v in row.values if v.name == "severity"), "")
        shown.append(
            {
                "row": row,
                "label": str(row.label if row.alert_type else BLOCK_LABELS.get(row.id, row.label)),
                "values": values,
                "severity": words("severity", severity) if severity else "",
                "overridden_count": sum(1 for v in row.values if v.overridden),
            }
        )
    return shown
