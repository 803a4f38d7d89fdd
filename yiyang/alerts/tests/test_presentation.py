"""The alert presentation functions as tables: every rule of the monitoring defaults, every event
kind, every escalation stage, in words and never as a Python repr."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import translation

from yiyang.alerts import presentation as p
from yiyang.alerts.policy import default_policy
from yiyang.monitoring.engine.rules import load_default_rules

T0 = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai
SINCE = T0.isoformat()
WATCH = {106: p.DeviceLabel(kind="智能手表", location="卧室")}

# (rule id, alert type, the detail the engine writes (monitoring/engine/core.py), expected sentence)
RULE_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("sos", "sos", {"device_id": 106, "repeat": 0}, "紧急呼叫：设备 #106（智能手表，卧室）报告老人按下呼叫"),
    ("fall", "fall", {"device_id": 106, "repeat": 0}, "跌倒检测：设备 #106（智能手表，卧室）报告跌倒"),
    ("fall", "fall", {"device_id": 7, "repeat": 2}, "跌倒检测：设备 #7报告跌倒（第 2 次重复）"),
    ("hr_high", "hr_high", {"code": "8867-4", "value": 135, "count": 2, "since": SINCE, "repeat": 0},
     "心率 135 次/分，不低于阈值 131 次/分，持续 10 分钟，共 2 次读数，自 2025-06-01 08:00 起"),
    ("hr_high_sustained", "hr_high", {"code": "8867-4", "value": 124, "count": 1, "since": SINCE, "repeat": 0},
     "心率 124 次/分，高于阈值 120 次/分，持续 10 分钟，自 2025-06-01 08:00 起"),
    ("hr_low", "hr_low", {"code": "8867-4", "value": 38, "count": 3, "since": SINCE, "repeat": 0},
     "心率 38 次/分，不高于阈值 40 次/分，持续 10 分钟，共 3 次读数，自 2025-06-01 08:00 起"),
    ("hr_watch_low", "hr_watch", {"code": "8867-4", "value": 48, "count": 2, "since": SINCE, "repeat": 0},
     "心率 48 次/分，不高于阈值 50 次/分，持续 10 分钟，共 2 次读数，自 2025-06-01 08:00 起"),
    ("hr_watch_high", "hr_watch", {"code": "8867-4", "value": 112, "count": 2, "since": SINCE, "repeat": 0},
     "心率 112 次/分，不低于阈值 111 次/分，持续 10 分钟，共 2 次读数，自 2025-06-01 08:00 起"),
    ("spo2_low", "spo2_low", {"code": "59408-5", "value": 89, "count": 3, "since": SINCE, "repeat": 0},
     "血氧饱和度 89 %，不高于阈值 91 %（慢阻肺老人 83 %），持续 10 分钟，共 3 次读数，自 2025-06-01 08:00 起"),
    ("sbp_low", "sbp_low", {"code": "8480-6", "value": 86, "count": 2, "since": SINCE, "repeat": 0},
     "收缩压 86 mmHg，不高于阈值 90 mmHg，持续 10 分钟，共 2 次读数，自 2025-06-01 08:00 起"),
    ("bp_high_sbp", "bp_high", {"code": "8480-6", "value": 186, "count": 2, "since": SINCE, "repeat": 0},
     "收缩压 186 mmHg，高于阈值 180 mmHg，持续 10 分钟，共 2 次读数，自 2025-06-01 08:00 起"),
    ("bp_high_dbp", "bp_high", {"code": "8462-4", "value": 125, "count": 2, "since": SINCE, "repeat": 0},
     "舒张压 125 mmHg，高于阈值 120 mmHg，持续 10 分钟，共 2 次读数，自 2025-06-01 08:00 起"),
    ("temp_extreme_low", "temp_extreme", {"code": "8310-5", "value": 34.6, "count": 1, "since": SINCE, "repeat": 0},
     "体温 34.6 ℃，不高于阈值 35 ℃，持续 10 分钟，自 2025-06-01 08:00 起"),
    ("temp_extreme_high", "temp_extreme", {"code": "8310-5", "value": 39.4, "count": 1, "since": SINCE, "repeat": 0},
     "体温 39.4 ℃，不低于阈值 39.1 ℃，持续 10 分钟，自 2025-06-01 08:00 起"),
    ("rr_low", "rr_low", {"code": "9279-1", "value": 7, "count": 3, "since": SINCE, "repeat": 0},
     "呼吸频率 7 次/分，不高于阈值 8 次/分，持续 10 分钟，共 3 次读数，自 2025-06-01 08:00 起"),
    ("rr_high", "rr_high", {"code": "9279-1", "value": 28, "count": 3, "since": SINCE, "repeat": 0},
     "呼吸频率 28 次/分，不低于阈值 25 次/分，持续 10 分钟，共 3 次读数，自 2025-06-01 08:00 起"),
    ("temperature", "temperature", {"code": "8310-5", "value": 38.1, "criterion": "once", "repeat": 0},
     "体温 38.1 ℃，单次不低于 37.8 ℃"),
    ("temperature", "temperature", {"code": "8310-5", "value": 37.4, "criterion": "repeated", "repeat": 0},
     "体温 37.4 ℃，连续 2 次不低于 37.2 ℃"),
    ("temperature", "temperature",
     {"code": "8310-5", "value": 37.5, "criterion": "baseline", "baseline": 36.2, "repeat": 0},
     "体温 37.5 ℃，比个人基线高出 1.1 ℃ 以上（个人基线 36.2 ℃）"),
    ("news2", "news2", {"score": 7.0, "params": 3, "red": True, "repeat": 0},
     "综合预警评分 7 分（3 项指标），含单项 3 分；紧急阈值 7 分，重要阈值 5 分"),
    ("news2", "news2", {"score": 5.0, "params": 2, "red": False, "repeat": 0},
     "综合预警评分 5 分（2 项指标）；紧急阈值 7 分，重要阈值 5 分"),
    ("inactivity", "inactivity",
     {"deadline": SINCE, "last_activity": (T0 - timedelta(minutes=100)).isoformat(), "inactive_min": 100,
      "personal": True, "repeat": 0},
     "已 1 小时 40 分钟无活动（最近活动 2025-06-01 06:20），超过白天无活动上限（按个人活动规律，最长 2 小时）"),
    ("inactivity", "inactivity", {"deadline": SINCE, "repeat": 0}, "白天长时间无活动（2025-06-01 08:00 判定）"),
    ("late_wakeup", "late_wakeup", {"deadline": SINCE, "personal": False, "repeat": 0},
     "截至 2025-06-01 08:00 仍未起床（按人群默认值，平时起床时间后 1 小时）"),
    ("night_bed_exit", "night_bed_exit", {"deadline": SINCE, "repeat": 0},
     "夜间离床超过 30 分钟且无其他活动（2025-06-01 08:00 判定）"),
    ("night_door_exit", "night_door_exit", {"deadline": SINCE, "repeat": 0},
     "夜间 23:00–05:00 开门外出，15 分钟内未返回（2025-06-01 08:00 判定）"),
    ("night_bathroom", "night_bathroom", {"visits": 5, "limit": 3.2, "nights": 2, "repeat": 0},
     "夜间如厕 5 次，超过上限 3.2 次，已连续 2 晚"),
    ("housebound", "housebound", {"activity": 12, "p5": 25.0, "days": 3, "days_without_going_out": 4, "repeat": 0},
     "当日活动 12 次，低于个人第 5 百分位 25 次，已连续 3 天；4 天未出门"),
    ("device_offline", "device_offline",
     {"device_id": 106, "last_seen": SINCE, "interval_s": 300, "repeat": 0},
     "设备 #106（智能手表，卧室）自 2025-06-01 08:00 起无消息（正常约每 5 分钟上报一次，超过 3 倍视为离线）"),
    ("not_worn", "not_worn", {"deadline": SINCE, "repeat": 0}, "手表未佩戴超过 2 小时（2025-06-01 08:00 判定）"),
    ("battery_low", "battery_low", {"device_id": 106, "battery": 15, "repeat": 0},
     "设备 #106（智能手表，卧室）电量 15%，不高于阈值 20%"),
]  # fmt: skip


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(("rule", "alert_type", "detail", "expected"), RULE_CASES, ids=lambda v: str(v)[:30])
def test_each_rule_is_a_sentence_with_its_values_and_thresholds(rule, alert_type, detail, expected):
    described = p.describe_detail(
        alert_type=alert_type, rule=rule, detail=detail, at=T0 + timedelta(minutes=10), devices=WATCH
    )
    assert described.sentence == expected
    assert described.extra == []


def test_every_default_rule_has_a_case():
    assert {rule for rule, *_rest in RULE_CASES} == set(load_default_rules()["rules"])


@pytest.mark.parametrize(
    ("detail", "extra"),
    [
        ({"code": "01"}, ["指标: 01"]),
        ({"zone": {"room": "厨房", "floor": 2}, "tags": ["a", "b"], "ok": False, "gone": None},
         ["zone: room: 厨房，floor: 2", "tags: a、b", "ok: 否", "gone: —"]),
        ({"device_id": 106, "when": SINCE}, ["设备: 设备 #106（智能手表，卧室）", "when: 2025-06-01 08:00"]),
    ],
)  # fmt: skip
def test_keys_no_rule_explains_are_key_value_lines_never_a_repr(detail, extra):
    described = p.describe_detail(alert_type="sos_custom", rule="custom", detail=detail, devices=WATCH)
    assert described.sentence == ""
    assert described.extra == extra
    assert "{'" not in str(described) and "None" not in str(described)


@pytest.mark.parametrize(
    ("kind", "detail", "expected"),
    [
        ("opened", {"rule": "fall", "severity": "emergency", "detail": {"device_id": 106, "repeat": 0}},
         "紧急；跌倒检测：设备 #106（智能手表，卧室）报告跌倒"),
        ("repeated", {"repeats": 1, "repeat_count": 3, "rule": "fall", "detail": {"device_id": 106, "repeat": 3}},
         "再次触发 1 次，累计重复 3 次；跌倒检测：设备 #106（智能手表，卧室）报告跌倒（第 3 次重复）"),
        ("upgraded", {"from": "urgent", "to": "emergency", "rule": "fall"}, "重要 → 紧急"),
        ("downgraded", {"from": "emergency", "to": "watch", "reason": "cancelled"}, "紧急 → 关注（老人在确认时限内取消）"),
        ("condition_cleared", {}, ""),
        ("notified", {"stage": "emergency:s0", "recipients": ["console", "watch_call"], "sent": 1, "failed": 1,
                      "skipped": 0},
         "紧急 第 1 步：通知 值班控制台、呼叫老人手表；已发送 1，失败 1，无接收人 0"),
        ("escalated", {"step": 1, "stage": "emergency:s1", "recipients": ["helper", "family"], "due_at": SINCE,
                       "late_ms": 0}, "第 2 步：通知 助老员、第一联系人"),
        ("escalated", {"reason": "acknowledged_not_resolved", "stage": "emergency:re1", "recipients": ["supervisor"],
                       "due_at": SINCE, "late_ms": 90000},
         "已响应但仍未处置，再次升级：通知 站点主管（晚于计划 1 分钟）"),
        ("acknowledged", {"seconds": 42.5}, "产生后 42 秒响应"),
        ("acknowledged", {"seconds": 75, "by": "dispatch"}, "产生后 1 分钟响应（派遣时一并响应）"),
        ("dispatched", {"target": "emergency_120", "handoff_sheet": True}, "派遣：120急救（附 120 交接单）"),
        ("on_scene", {"seconds": 900}, "产生后 15 分钟到场"),
        ("closed", {"close_code": "false_alarm_device", "from": "acknowledged"}, "误报（设备原因）（关闭前：已响应）"),
    ],
)  # fmt: skip
def test_each_event_kind_in_words(kind, detail, expected):
    assert p.event_text(kind=kind, detail=detail, alert_type="fall", devices=WATCH) == expected


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("emergency:s0", "紧急 第 1 步"),
        ("emergency:s1", "紧急 第 2 步"),
        ("urgent:re2", "重要 再升级第 2 次"),
        ("dispatch1:helper", "第 1 次派遣：助老员"),
        ("dispatch2:emergency_120", "第 2 次派遣：120急救"),
        ("", "—"),
    ],
)
def test_stages_in_words(stage, expected):
    assert p.stage_text(stage) == expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("no recipient registered", "未登记接收人"),
        ("no phone number", "未登记电话号码"),
        ("gateway timeout 504", "gateway timeout 504"),
    ],
)
def test_every_error_the_channels_record_is_in_words(error, expected):
    assert p.delivery_error(error) == expected


def test_the_emergency_policy_in_words_with_the_steps_taken():
    policy = default_policy("emergency")
    steps = p.policy_steps(policy, taken_up_to=1)
    assert [(s.when, s.recipients, s.taken) for s in steps] == [
        ("立即", "值班控制台、呼叫老人手表", True),
        ("1 分钟后未响应", "助老员、第一联系人", True),
        ("3 分钟后未响应", "站点主管", False),
        ("5 分钟后未响应", "120交接单、站点主管", False),
    ]
    assert p.reescalation_text(policy) == "已响应但 30 分钟仍未处置：每 30 分钟再通知 站点主管、助老员"
    assert p.reescalation_text(default_policy("watch")) == ""


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "0 秒"), (59.6, "1 分钟"), (60, "1 分钟"), (3600, "1 小时"), (5400, "1 小时 30 分钟"), (172800, "2 天"), (47_586_921, "550 天 18 小时"),
     (None, "—")],
)  # fmt: skip
def test_durations(seconds, expected):
    assert p.duration(seconds) == expected


def test_numbers_follow_the_locale_and_never_end_in_point_zero():
    assert [p.number(v) for v in (37.0, 36.25, 0.333, True)] == ["37", "36.25", "0.33", "是"]
    with translation.override("en"):
        assert p.number(12345.5) == "12,345.5"


def test_the_threshold_the_engine_recorded_is_the_one_shown():
    # A district override or the COPD scale moves the threshold: the sentence shows the elder's own,
    # and says nothing of the default.
    detail = {"code": "59408-5", "value": 82, "threshold": 83, "count": 3, "since": SINCE, "repeat": 0}
    described = p.describe_detail(alert_type="spo2_low", rule="spo2_low", detail=detail, at=T0 + timedelta(minutes=10))
    assert described.sentence == "血氧饱和度 82 %，不高于阈值 83 %，持续 10 分钟，共 3 次读数，自 2025-06-01 08:00 起"
    assert described.extra == []
