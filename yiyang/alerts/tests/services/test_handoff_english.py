"""The hand-off sheet and the escalation step labels in English: the interface's words follow the
reader's language, the elder's data stays as entered; with no language chosen (a worker sending the
sheet to 120) the sheet is Chinese."""

import pytest
from django.utils import translation

from yiyang.alerts.policy import default_policy, step_label
from yiyang.alerts.services import alerts_apply, handoff_sheet, handoff_sheet_text
from yiyang.alerts.tests.support import raise_cmd
from yiyang.monitoring.services import elder_monitoring_profile_set

pytestmark = pytest.mark.django_db


def test_the_handoff_sheet_in_english_keeps_the_data_and_translates_the_rest(homes):
    elder = homes.elders["elder0"]
    elder_monitoring_profile_set(
        actor=homes.users["street0"], elder=elder, flags=["copd"], override={}, conditions="高血压", medication=""
    )
    alert = alerts_apply([raise_cmd(elder, "fall")]).opened[0]
    with translation.override("en"):
        sheet = handoff_sheet(alert)
        text = handoff_sheet_text(sheet)
    assert sheet["key_holders"] == ["邻居王阿姨", "女儿 (子女, 13800000002)"]
    assert sheet["conditions"] == "COPD; 高血压"
    assert sheet["medication"] == "Not recorded"
    assert sheet["device_location"] == "Unknown"
    assert "Address: 第1街道幸福里1号" in text
    assert "Keys: 邻居王阿姨; 女儿 (子女, 13800000002)" in text
    assert "Conditions: COPD; 高血压; medication: Not recorded" in text
    assert "Device location: Unknown" in text
    with translation.override("zh-hans"):
        assert handoff_sheet(alert)["medication"] == "未登记"


def test_escalation_step_labels_follow_the_language_and_fall_back_to_the_recipients() -> None:
    first = default_policy("emergency")["steps"][1]
    with translation.override("en"):
        assert step_label(first) == "No response in 60 s: community helper on duty + first emergency contact"
        # A step fixed on an older alert, without label_en: the default step's English.
        assert (
            step_label({**first, "label_en": None})
            == "No response in 60 s: community helper on duty + first emergency contact"
        )
        # A district's own step with a Chinese label only: its recipients, in English.
        assert step_label({"after_seconds": 30, "notify": ["console", "family"], "label": "本区自定"}) == (
            "Duty console + First emergency contact"
        )
    with translation.override("zh-hans"):
        assert step_label(first) == "60秒未响应：值班助老员 + 第一联系人"
