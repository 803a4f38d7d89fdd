import pytest
from django.test import override_settings

from yiyang.alerts.channels import Channel, DeliveryResult, Notification, channel_get
from yiyang.alerts.models import Delivery
from yiyang.alerts.services import alert_notify, alerts_apply, handoff_sheet, handoff_sheet_text
from yiyang.alerts.tests.support import raise_cmd
from yiyang.monitoring.models import ElderMonitoringProfile
from yiyang.monitoring.services import elder_monitoring_profile_set

pytestmark = pytest.mark.django_db


def test_the_handoff_sheet_has_address_key_holders_contacts_in_order_and_placeholders(homes):
    alert = alerts_apply([raise_cmd(homes.elders["elder0"], "fall", location="卫生间")]).opened[0]
    sheet = handoff_sheet(alert)
    assert sheet["address"] == "第1街道幸福里1号"
    assert sheet["key_holders"] == ["邻居王阿姨", "女儿（子女，13800000002）"]
    assert [c["name"] for c in sheet["contacts"]] == ["儿子", "女儿"]
    assert sheet["conditions"] == sheet["medication"] == "未登记"
    assert sheet["device_location"] == "卫生间"
    text = handoff_sheet_text(sheet)
    assert "第1街道幸福里1号" in text and "未登记" in text


def test_the_handoff_sheet_says_unrecorded_when_nothing_is_known(world):
    sheet = handoff_sheet(alerts_apply([raise_cmd(world.elders["elder0"])]).opened[0])
    assert (sheet["address"], sheet["key_holders"], sheet["contacts"], sheet["device_location"]) == (
        "未登记",
        ["未登记"],
        [],
        "未知",
    )


def test_the_handoff_sheet_shows_flags_conditions_and_medication_from_the_monitoring_profile(
    homes, django_assert_num_queries
):
    elder = homes.elders["elder0"]
    elder_monitoring_profile_set(
        actor=homes.users["street0"],
        elder=elder,
        flags=["dementia", "copd"],
        override={},
        conditions="高血压；2型糖尿病",
        medication="阿司匹林 100mg qd；二甲双胍",
    )
    alert = alerts_apply([raise_cmd(elder, "fall")]).opened[0]
    with django_assert_num_queries(2):  # the elder with home and profile; the contacts
        sheet = handoff_sheet(alert)
    assert sheet["conditions"] == "慢阻肺；认知障碍；高血压；2型糖尿病"
    assert sheet["medication"] == "阿司匹林 100mg qd；二甲双胍"
    text = handoff_sheet_text(sheet)
    assert "疾病：慢阻肺；认知障碍；高血压；2型糖尿病；用药：阿司匹林 100mg qd；二甲双胍" in text


def test_the_handoff_sheet_with_flags_only_or_an_empty_profile(homes):
    elder = homes.elders["elder0"]
    street0 = homes.users["street0"]
    elder_monitoring_profile_set(actor=street0, elder=elder, flags=[], override={}, note="暂无")
    assert ElderMonitoringProfile.objects.filter(elder=elder).exists()
    alert = alerts_apply([raise_cmd(elder, "fall")]).opened[0]
    assert (handoff_sheet(alert)["conditions"], handoff_sheet(alert)["medication"]) == ("未登记", "未登记")
    elder_monitoring_profile_set(actor=street0, elder=elder, flags=["copd"], override={})
    assert (handoff_sheet(alert)["conditions"], handoff_sheet(alert)["medication"]) == ("慢阻肺", "未登记")


class BrokenSms(Channel):
    name = "sms"

    def send(self, notification: Notification) -> DeliveryResult:
        raise ConnectionError("gateway down")


class RecordingVoice(Channel):
    name = "voice"
    sent: list[Notification] = []

    def send(self, notification: Notification) -> DeliveryResult:
        RecordingVoice.sent.append(notification)
        return DeliveryResult(ok=True, provider_ref="v-1")


@override_settings(ALERT_CHANNELS={"sms": f"{__name__}.BrokenSms", "voice": f"{__name__}.RecordingVoice"})
def test_channels_come_from_settings_and_a_failing_gateway_is_recorded_not_raised(homes):
    assert isinstance(channel_get("voice"), RecordingVoice)
    alert = alerts_apply([raise_cmd(homes.elders["elder0"])]).opened[0]
    RecordingVoice.sent.clear()
    alert_notify(alert_id=alert.pk, stage="t", recipients=["family", "emergency_120"])
    rows = {(d.recipient_kind, d.channel): d for d in Delivery.objects.filter(stage="t")}
    assert rows[("family", "sms")].status == "failed" and "gateway down" in rows[("family", "sms")].error
    assert rows[("family", "voice")].status == "sent" and rows[("family", "voice")].address_masked == "138****0001"
    handoff_call = next(n for n in RecordingVoice.sent if n.recipient_kind == "emergency_120")
    assert "【120交接单】" in handoff_call.message and handoff_call.payload["handoff_sheet"]["address"]
    # a retried job sends nothing twice
    RecordingVoice.sent.clear()
    alert_notify(alert_id=alert.pk, stage="t", recipients=["family", "emergency_120"])
    assert RecordingVoice.sent == []


def test_a_watch_alert_goes_to_the_console_and_the_daily_worklist(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alert = alerts_apply([raise_cmd(world.elders["elder0"], "night_bathroom", "watch")]).opened[0]
    assert sorted(Delivery.objects.values_list("recipient_kind", "recipient_ref")) == [
        ("console", f"area:{world.elders['elder0'].community_id}"),
        ("worklist", f"worklist:{world.elders['elder0'].community_id}"),
    ]
    assert alert.next_escalation_at is None
