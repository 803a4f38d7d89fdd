"""The alert page, the lifecycle buttons and the SLA page as a newcomer reads them: sentences,
not dicts; failed notifications in view; only the steps the state allows; a refused close that
says which field is missing."""

import re
from html.parser import HTMLParser

import pytest

from yiyang.accounts.models import User
from yiyang.alerts.channels import DeliveryResult, Notification
from yiyang.alerts.channels.base import Channel
from yiyang.alerts.choices import AlertStatus, DispatchTarget, EventKind, Recipient, Severity
from yiyang.alerts.models import Alert
from yiyang.alerts.services import alert_acknowledge, alert_close, alert_dispatch, alerts_apply
from yiyang.alerts.services.notify import alert_notify
from yiyang.alerts.tests.support import T0, raise_cmd, seconds
from yiyang.alerts.tests.test_presentation import RULE_CASES
from yiyang.audit.models import AuditEvent
from yiyang.organisations.tests.support import page_client

pytestmark = pytest.mark.django_db

# Enum values that must never reach a reader (a label is shown instead).
RAW_WORDS = re.compile(
    r"\b(" + "|".join(sorted({*Severity.values, *AlertStatus.values, *EventKind.values, *Recipient.values,
                              *DispatchTarget.values, "sent", "failed", "skipped", "sms", "voice"}, key=len,
                             reverse=True)) + r")\b"
)  # fmt: skip


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def assert_readable(text: str) -> None:
    assert "{'" not in text and "None" not in text and "[{" not in text, text
    found = RAW_WORDS.findall(text)
    assert not found, (found, text)


class FailingVoice(Channel):
    name = "voice"

    def send(self, notification: Notification) -> DeliveryResult:
        return DeliveryResult(ok=False, error="网关超时（504）")


@pytest.fixture
def failing_voice(settings):
    settings.ALERT_CHANNELS = {
        "console": "yiyang.alerts.channels.console.ConsoleChannel",
        "sms": "yiyang.alerts.channels.logging.LoggingSmsChannel",
        "voice": "yiyang.alerts.tests.web.test_alert_pages.FailingVoice",
    }


def _every_rule_kind(world) -> list[Alert]:
    """An alert of every alert type the default rules raise (repeats folded in), for elder0,
    the way the engine writes them."""
    commands = [
        raise_cmd(world.elders["elder0"], alert_type, severity, at=T0 + seconds(i), rule=rule, **dict(detail))
        for i, (rule, alert_type, detail, _expected) in enumerate(RULE_CASES)
        for severity in [{"sos": "emergency", "fall": "emergency", "night_bathroom": "watch", "housebound": "watch",
                          "temperature": "watch", "hr_watch": "watch", "device_offline": "technical",
                          "not_worn": "technical", "battery_low": "technical"}.get(alert_type, "urgent")]
    ]  # fmt: skip
    alerts_apply(commands)
    return list(Alert.objects.filter(elder=world.elders["elder0"]).order_by("alert_type"))


def test_the_alert_page_of_every_rule_kind_is_in_words_without_a_repr(world, failing_voice):
    alerts = _every_rule_kind(world)
    assert len(alerts) == len({alert_type for _r, alert_type, _d, _e in RULE_CASES})
    street0 = world.users["street0"]
    fall = next(a for a in alerts if a.alert_type == "fall")
    alert_notify(alert_id=fall.pk, stage="emergency:s0", recipients=["console", "watch_call", "supervisor"])
    alert_dispatch(actor=street0, alert=fall, target="emergency_120")
    hr = next(a for a in alerts if a.alert_type == "hr_low")
    alert_acknowledge(actor=street0, alert=hr)
    alert_close(actor=street0, alert=hr, close_code="other", note="家属已送医")
    client = page_client(street0)
    for alert in alerts:
        response = client.get(f"/alerts/{alert.public_id}/")
        assert response.status_code == 200
        text = visible_text(response)
        assert_readable(text)
        assert "<code>" not in response.content.decode()
    page = visible_text(client.get(f"/alerts/{fall.public_id}/"))
    assert "跌倒检测：设备 #" in page and "报告跌倒" in page
    assert "派遣：120急救（附 120 交接单）" in page
    assert "紧急 第 1 步：通知 值班控制台、呼叫老人手表、站点主管" in page
    assert "1 分钟后未响应：助老员、第一联系人" in page


def test_the_rule_line_names_the_device_kind_and_where_it_is(world):
    from yiyang.devices.models import Device, DeviceBinding

    watch = Device.objects.create(
        kind="watch", protocol="iw_tcp", identifier="353456789012345", district=world.district
    )
    DeviceBinding.objects.create(device=watch, elder=world.elders["elder0"], location="卧室", since=T0)
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "fall", rule="fall", device_id=watch.pk, repeat=0)]).opened[
        0
    ]
    text = visible_text(page_client(world.users["street0"]).get(f"/alerts/{alert.public_id}/"))
    assert f"跌倒检测：设备 #{watch.pk}（智能手表，卧室）报告跌倒" in text


def test_a_failed_watch_call_stands_out_with_its_reason(world, failing_voice):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    alert_notify(alert_id=alert.pk, stage="emergency:s0", recipients=["console", "watch_call"])
    html = page_client(world.users["street0"]).get(f"/alerts/{alert.public_id}/").content.decode()
    failed = re.search(r'<tr data-testid="delivery" data-status="failed".*?</tr>', html, re.S)
    assert failed is not None
    row = failed.group(0)
    assert '<span class="badge text-bg-danger">发送失败</span>' in row
    assert "网关超时（504）" in row and "呼叫老人手表" in row and "语音电话" in row
    assert 'data-testid="failed-count">1 条失败<' in html
    sent = re.search(r'<tr data-testid="delivery" data-status="sent".*?</tr>', html, re.S)
    assert sent is not None and "值班控制台" in sent.group(0) and "text-bg-success" in sent.group(0)


def test_a_recipient_nobody_is_registered_for_is_shown_as_skipped(world):
    alert = alerts_apply([raise_cmd(world.elders["resident0"], "sos", rule="sos", device_id=1)]).opened[0]
    alert_notify(alert_id=alert.pk, stage="emergency:s1", recipients=["helper"])
    text = visible_text(page_client(world.users["street0"]).get(f"/alerts/{alert.public_id}/"))
    assert "无接收人 未登记接收人" in text


def test_the_buttons_follow_the_state_for_those_who_handle_alerts(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    client = page_client(world.users["street0"])

    def buttons() -> set[str]:
        html = client.get(f"/alerts/{alert.public_id}/").content.decode()
        actions = re.search(r"<main.*</main>", html, re.S)  # the page's own buttons, not the menu's
        return set(re.findall(r'<button[^>]*data-testid="([a-z-]+)"', actions.group(0) if actions else ""))

    assert buttons() == {"acknowledge", "dispatch", "close"}
    alert_acknowledge(actor=world.users["street0"], alert=alert)
    assert buttons() == {"dispatch", "close"}
    alert_dispatch(actor=world.users["street0"], alert=alert, target="helper")
    assert buttons() == {"dispatch", "on-scene", "close"}
    alert_close(actor=world.users["street0"], alert=alert, close_code="true_emergency")
    assert buttons() == set()


def test_no_buttons_without_the_right_to_handle(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    response = page_client(world.users["family0"]).get(f"/alerts/{alert.public_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="alert-actions"' not in html and "/acknowledge/" not in html and "/close/" not in html


def test_the_buttons_move_the_alert_on_with_a_message_and_are_audited(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    client = page_client(world.users["street0"])
    base = f"/alerts/{alert.public_id}"
    audited = AuditEvent.objects.filter(entity_type="alert", entity_id=str(alert.public_id), action="change")

    response = client.post(f"{base}/acknowledge/", {"next": "detail"})
    assert (response.status_code, response["Location"]) == (302, f"{base}/")
    assert "已响应告警。" in visible_text(client.get(response["Location"]))
    response = client.post(f"{base}/dispatch/", {"next": "detail", "target": "other", "to_name": "楼长李师傅"})
    assert response.status_code == 302
    response = client.post(f"{base}/on-scene/", {"next": "detail"})
    assert response.status_code == 302
    response = client.post(f"{base}/close/", {"next": "detail", "close_code": "true_emergency", "note": "已送医"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.dispatch_target, alert.dispatched_to, alert.note) == (
        "resolved", "other", "楼长李师傅", "已送医"
    )  # fmt: skip
    assert audited.count() == 4
    text = visible_text(client.get(f"{base}/"))
    assert "告警已关闭。" in text
    # the responders as people: name with area beside
    assert text.count("street0 · 第1街道") >= 4


def test_closing_without_a_reason_is_refused_next_to_the_field_and_the_alert_stays_open(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    client = page_client(world.users["street0"])
    response = client.post(f"/alerts/{alert.public_id}/close/", {"next": "detail", "close_code": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<div class="invalid-feedback d-block" data-testid="error-close_code">请选择关闭原因</div>' in html
    assert "关闭原因：请选择关闭原因" in visible_text(response)
    alert.refresh_from_db()
    assert (alert.status, alert.closed_at) == ("open", None)
    # "other" needs a note: refused next to the note, the choice kept
    response = client.post(f"/alerts/{alert.public_id}/close/", {"next": "detail", "close_code": "other"})
    html = response.content.decode()
    assert response.status_code == 400 and 'data-testid="error-note"' in html
    assert '<option value="other" selected>' in html
    alert.refresh_from_db()
    assert alert.status == "open"


def test_closing_from_the_console_without_a_reason_names_the_field(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    client = page_client(world.users["street0"])
    # without JavaScript: the console again, 400, the message naming the field
    response = client.post(f"/alerts/{alert.public_id}/close/", {"close_code": ""})
    assert response.status_code == 400 and "关闭原因：请选择关闭原因" in visible_text(response)
    # with HTMX: the rows answer 400 with the message (console.js swaps a 400 in)
    partial = client.post(f"/alerts/{alert.public_id}/close/", {"close_code": ""}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 400
    assert 'data-testid="step-error">关闭原因：请选择关闭原因</div>' in partial.content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_step_the_state_does_not_allow_answers_409_on_the_alert_page(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    response = page_client(world.users["street0"]).post(f"/alerts/{alert.public_id}/on-scene/", {"next": "detail"})
    assert response.status_code == 409 and "请先派遣人员" in visible_text(response)


def test_the_sla_page_names_the_severities_and_formats_the_numbers(world):
    alerts_apply(
        [
            raise_cmd(world.elders["elder0"], "sos", "emergency", rule="sos", device_id=1),
            raise_cmd(world.elders["elder0"], "inactivity", "urgent", rule="inactivity", deadline=T0.isoformat()),
        ]
    )
    response = page_client(world.users["street0"]).get("/alerts/sla/?start=2025-05-01&end=2025-06-30")
    html = response.content.decode()
    assert '<tr data-testid="sla-severity"><th>紧急</th>' in html
    assert '<tr data-testid="sla-severity"><th>重要</th>' in html
    text = visible_text(response)
    assert_readable(text)
    row = re.search(r'<tr data-testid="sla-severity"><th>紧急</th>(.*?)</tr>', html, re.S)
    assert row, html
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1)) == ["1", "0%", "0%", "- / -", "- / -", "- / -"]


def test_the_console_rows_show_no_raw_enum_words(world):
    alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)])
    text = visible_text(page_client(world.users["street0"]).get("/alerts/"))
    assert_readable(text)


def test_a_responder_without_a_full_name_is_shown_by_username(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    User.objects.filter(pk=world.users["street0"].pk).update(full_name="")
    alert_acknowledge(actor=User.objects.get(pk=world.users["street0"].pk), alert=alert)
    text = visible_text(page_client(world.users["station0"]).get(f"/alerts/{alert.public_id}/"))
    assert "street0 · 第1街道" in text


def test_a_capped_console_says_so_and_points_to_the_street_filter(world, monkeypatch):
    from yiyang.alerts.web import views

    alerts_apply(
        [
            raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1),
            raise_cmd(world.elders["resident0"], "sos", rule="sos", device_id=2),
        ]
    )
    client = page_client(world.users["street0"])
    assert 'data-testid="console-capped"' not in client.get("/alerts/").content.decode()
    monkeypatch.setattr(views, "CONSOLE_LIMIT", 1)
    html = client.get("/alerts/").content.decode()
    assert "只显示最紧急、最新的 1 条" in html
    assert html.count('data-testid="alert-row"') == 1


def test_the_elder_in_the_heading_links_to_the_elder_page(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "sos", rule="sos", device_id=1)]).opened[0]
    elder = world.elders["elder0"]
    street0 = world.users["street0"]
    html = page_client(street0).get(f"/alerts/{alert.public_id}/").content.decode()
    assert f'<a href="/elders/{elder.public_id}/" data-testid="alert-elder">{elder.name}</a>' in html
