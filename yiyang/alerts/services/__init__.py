"""Writes of the alerts module, re-exported here: `from yiyang.alerts.services import alerts_apply`."""

from yiyang.alerts.services.apply import ApplyResult, alerts_apply
from yiyang.alerts.services.escalation import SweepResult, escalation_sweep
from yiyang.alerts.services.handoff import alert_handoff_sheet, handoff_sheet, handoff_sheet_text
from yiyang.alerts.services.lifecycle import alert_acknowledge, alert_close, alert_dispatch, alert_on_scene
from yiyang.alerts.services.notify import alert_notify
from yiyang.alerts.services.policy import district_of, escalation_policy_require_changer, escalation_policy_set

__all__ = [
    "ApplyResult",
    "SweepResult",
    "alert_acknowledge",
    "alert_close",
    "alert_dispatch",
    "alert_handoff_sheet",
    "alert_notify",
    "alert_on_scene",
    "alerts_apply",
    "district_of",
    "escalation_policy_require_changer",
    "escalation_policy_set",
    "escalation_sweep",
    "handoff_sheet",
    "handoff_sheet_text",
]
