import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from yiyang.alerts.models import Alert, AlertEvent
from yiyang.alerts.selectors import alert_event_cursor
from yiyang.alerts.services import alerts_apply
from yiyang.alerts.tests.support import T0, raise_cmd
from yiyang.alerts.web import stream
from yiyang.devices.models import Device, DeviceBinding
from yiyang.organisations.tests.support import page_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def short_streams(monkeypatch):
    monkeypatch.setattr(stream, "LIFETIME_SECONDS", 0.2)
    monkeypatch.setattr(stream, "POLL_SECONDS", 0.02)


def sse_events(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    events = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if lines.get("event") == "alert":
            events.append(json.loads(lines["data"]))
    return events


def test_the_stream_sends_a_new_alert_in_reach_and_nothing_out_of_reach(world):
    # given: a console connected at cursor N
    cursor = alert_event_cursor()
    # when: alerts open for an elder in reach (street 0) and one out of reach (street 1)
    alerts_apply([raise_cmd(world.elders["elder0"]), raise_cmd(world.elders["elder1"])])
    response = page_client(world.users["station0"]).get(f"/alerts/stream/?after={cursor}")
    # then
    assert response["Content-Type"] == "text/event-stream"
    events = sse_events(response)
    mine = str(Alert.objects.get(elder=world.elders["elder0"]).public_id)
    assert [(e["kind"], e["alert"]["id"], e["alert"]["severity"]) for e in events] == [("opened", mine, "emergency")]


def test_the_stream_resumes_from_last_event_id(world):
    alerts_apply([raise_cmd(world.elders["elder0"])])
    cursor = alert_event_cursor()
    alerts_apply([raise_cmd(world.elders["elder0"], at=T0)])  # a repeat
    response = page_client(world.users["street0"]).get("/alerts/stream/", HTTP_LAST_EVENT_ID=str(cursor))
    assert [e["kind"] for e in sse_events(response)] == ["repeated"]


def test_a_stream_started_without_a_cursor_sends_only_what_comes_after(world):
    alerts_apply([raise_cmd(world.elders["elder0"])])
    assert sse_events(page_client(world.users["street0"]).get("/alerts/stream/")) == []


def test_the_console_lists_open_alerts_most_severe_first_with_buttons(world):
    alerts_apply(
        [
            raise_cmd(world.elders["elder0"], "inactivity", "urgent", at=T0),
            raise_cmd(world.elders["resident0"], "sos", "emergency", at=T0),
            raise_cmd(world.elders["elder1"], "sos", "emergency", at=T0),
        ]
    )
    response = page_client(world.users["station0"]).get("/alerts/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "社区养老服务站告警台" in text and "alerts/console.js" in text
    assert text.count('data-testid="alert-row"') == 2
    assert text.index('data-severity="emergency"') < text.index('data-severity="urgent"')
    assert text.count('data-testid="acknowledge"') == 2
    # an HTMX refresh answers the rows only
    partial = page_client(world.users["station0"]).get("/alerts/", HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="alert-rows"')


def test_htmx_buttons_move_the_alert_on_and_answer_the_refreshed_rows(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"])]).opened[0]
    client = page_client(world.users["street0"])
    response = client.post(f"/alerts/{alert.public_id}/acknowledge/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-testid="alert-rows"' in response.content.decode()
    refused = client.post(f"/alerts/{alert.public_id}/on-scene/", HTTP_HX_REQUEST="true")
    assert refused.status_code == 409 and "请先派遣人员" in refused.content.decode()
    client.post(f"/alerts/{alert.public_id}/close/", {"close_code": "false_alarm_device"}, HTTP_HX_REQUEST="true")
    alert.refresh_from_db()
    assert (alert.status, alert.close_code) == ("false_alarm", "false_alarm_device")


def test_the_detail_page_shows_the_timeline_and_the_handoff_sheet_to_handlers(homes):
    alert = alerts_apply([raise_cmd(homes.elders["elder0"])]).opened[0]
    text = page_client(homes.users["street0"]).get(f"/alerts/{alert.public_id}/").content.decode()
    assert 'data-testid="handoff-sheet"' in text and "第1街道幸福里1号" in text
    family = page_client(homes.users["family0"]).get(f"/alerts/{alert.public_id}/")
    assert family.status_code == 200 and 'data-testid="handoff-sheet"' not in family.content.decode()


def test_escalate_command_once(world, capsys):
    alerts_apply([raise_cmd(world.elders["elder0"], at=T0)])
    call_command("escalate", "--once")
    assert Alert.objects.get().escalation_step == 3
    assert "escalated 3 step(s)" in capsys.readouterr().out


def sse_messages(response) -> list[tuple[str, str, dict]]:
    """(event, id, data) of every message but comments and the hello."""
    text = b"".join(response.streaming_content).decode()
    out = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if lines.get("event") in ("alert", "counts"):
            out.append((lines["event"], lines["id"], json.loads(lines["data"])))
    return out


def technical_cmd(elder, alert_type="battery_low", at=T0):
    return raise_cmd(elder, alert_type, "technical", at=at, rule=alert_type, battery=15)


def test_the_health_stream_sends_health_alerts_and_the_counts_of_both_views(world):
    cursor = alert_event_cursor()
    alerts_apply([raise_cmd(world.elders["elder0"]), technical_cmd(world.elders["elder0"])])
    sos = Alert.objects.get(alert_type="sos")
    last = AlertEvent.objects.latest("id").pk
    messages = sse_messages(page_client(world.users["street0"]).get(f"/alerts/stream/?after={cursor}"))
    assert [(m[0], m[2].get("kind"), m[2].get("alert", {}).get("id")) for m in messages] == [
        ("alert", "opened", str(sos.public_id)),
        ("counts", None, None),
    ]
    assert messages[0][2]["alert"]["category"] == "health"
    assert messages[1][1] == str(last)  # the cursor moves past the technical event too
    assert messages[1][2] == {"health": 1, "technical": 1, "emergency": False}


def test_the_technical_stream_sends_technical_alerts_only_and_flags_a_new_emergency(world):
    cursor = alert_event_cursor()
    alerts_apply([technical_cmd(world.elders["elder0"]), raise_cmd(world.elders["resident0"])])
    battery = Alert.objects.get(alert_type="battery_low")
    messages = sse_messages(
        page_client(world.users["street0"]).get(f"/alerts/stream/?after={cursor}&category=technical")
    )
    assert [(m[0], m[2].get("alert", {}).get("id")) for m in messages] == [
        ("alert", str(battery.public_id)),
        ("counts", None),
    ]
    assert messages[0][2]["alert"]["category"] == "technical"
    assert messages[1][2] == {"health": 1, "technical": 1, "emergency": True}


def test_a_repeat_in_the_other_view_sends_counts_only_without_an_emergency(world):
    alerts_apply([raise_cmd(world.elders["elder0"])])
    cursor = alert_event_cursor()
    alerts_apply([raise_cmd(world.elders["elder0"], at=T0)])  # a repeat of the SOS
    messages = sse_messages(
        page_client(world.users["street0"]).get(f"/alerts/stream/?after={cursor}&category=technical")
    )
    assert [(m[0], m[2]) for m in messages] == [("counts", {"health": 1, "technical": 0, "emergency": False})]


def test_the_stream_honours_the_street_filter(world):
    cursor = alert_event_cursor()
    alerts_apply([raise_cmd(world.elders["elder0"]), raise_cmd(world.elders["elder1"])])
    street1 = world.streets[1].public_id
    messages = sse_messages(page_client(world.users["bureau"]).get(f"/alerts/stream/?after={cursor}&street={street1}"))
    mine = str(Alert.objects.get(elder=world.elders["elder1"]).public_id)
    assert [(m[0], m[2].get("alert", {}).get("id")) for m in messages] == [("alert", mine), ("counts", None)]
    assert messages[1][2] == {"health": 1, "technical": 0, "emergency": False}


def test_an_unknown_category_is_the_health_view(world):
    cursor = alert_event_cursor()
    alerts_apply([raise_cmd(world.elders["elder0"]), technical_cmd(world.elders["elder0"])])
    messages = sse_messages(page_client(world.users["street0"]).get(f"/alerts/stream/?after={cursor}&category=nope"))
    assert [m[2]["alert"]["alert_type"] for m in messages if m[0] == "alert"] == ["sos"]
    page = page_client(world.users["street0"]).get("/alerts/?category=nope").content.decode()
    assert page.count('data-testid="alert-row"') == 1 and 'data-severity="emergency"' in page


def test_the_console_has_two_tabs_with_open_counts_and_the_health_view_by_default(world):
    alerts_apply(
        [
            raise_cmd(world.elders["elder0"]),
            technical_cmd(world.elders["elder0"]),
            technical_cmd(world.elders["resident0"], "not_worn"),
            technical_cmd(world.elders["elder1"]),
        ]
    )
    text = page_client(world.users["station0"]).get("/alerts/").content.decode()
    assert '<span class="badge bg-danger" data-count-for="health" data-testid="count-health">1</span>' in text
    assert '<span class="badge bg-secondary" data-count-for="technical" data-testid="count-technical">2</span>' in text
    assert 'href="/alerts/?category=technical" data-testid="tab-technical"' in text
    assert 'data-category="health"' in text
    assert text.count('data-testid="alert-row"') == 1 and 'data-severity="technical"' not in text
    assert 'data-stream="/alerts/stream/?after=' in text and "category=technical&amp;" not in text


def test_the_technical_view_lists_device_elder_type_and_since_with_the_lifecycle_buttons(world):
    elder = world.elders["elder0"]
    watch = Device.objects.create(
        kind="watch", protocol="iw_tcp", identifier="353456789012345", district=world.district, battery=15
    )
    DeviceBinding.objects.create(device=watch, elder=elder, since=T0)
    alerts_apply(
        [
            raise_cmd(elder, "battery_low", "technical", rule="battery_low", device_id=watch.pk, battery=15),
            raise_cmd(elder),
        ]
    )
    response = page_client(world.users["station0"]).get("/alerts/?category=technical")
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count('data-testid="alert-row"') == 1 and 'data-severity="emergency"' not in text
    assert f'href="/devices/{watch.public_id}/">智能手表 353456789012345</a>' in text
    assert "电量 15%" in text and "elder0老人" in text and "设备电量低" in text
    assert '<td class="small" data-testid="alert-since">06-01 08:00</td>' in text  # T0 in Asia/Shanghai
    assert 'data-testid="acknowledge"' in text and 'data-testid="dispatch"' in text and 'data-testid="close"' in text
    assert '<input type="hidden" name="category" value="technical">' in text
    assert 'data-stream="/alerts/stream/?after=' in text and "&amp;category=technical" in text
    assert 'data-testid="technical-note"' in text


def test_a_button_in_the_technical_view_answers_the_technical_rows(world):
    alert = alerts_apply([technical_cmd(world.elders["elder0"]), raise_cmd(world.elders["elder0"])]).opened[0]
    assert alert.alert_type == "battery_low"
    client = page_client(world.users["street0"])
    url = f"/alerts/{alert.public_id}/acknowledge/"
    partial = client.post(url, {"category": "technical"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-category="technical"' in partial and partial.count('data-testid="alert-row"') == 1
    assert 'data-severity="technical"' in partial
    # without JavaScript the form posts and comes back to the same view
    response = client.post(f"/alerts/{alert.public_id}/close/", {"category": "technical", "close_code": "duplicate"})
    assert (response.status_code, response["Location"]) == (302, "/alerts/?category=technical")


def test_the_sla_page_says_it_counts_health_and_safety_alerts_only(world):
    text = page_client(world.users["street0"]).get("/alerts/sla/").content.decode()
    assert "仅统计健康与安全告警；设备告警（离线、未佩戴、电量低）不计入。" in text


@pytest.fixture
def restore_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_console_in_english(world, restore_language):
    alerts_apply([raise_cmd(world.elders["elder0"]), technical_cmd(world.elders["elder0"])])
    client = page_client(world.users["station0"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/alerts/"})
    text = client.get("/alerts/").content.decode()
    for english in ("Community station alert console", "Health &amp; safety", "Technical alerts", "Emergency",
                    "Emergency call (SOS)", ">Acknowledge</button>", ">Dispatch</button>", ">Close</button>",
                    'data-text-live="Live"', "Turn on sound"):  # fmt: skip
        assert english in text, english
    technical = client.get("/alerts/?category=technical").content.decode()
    assert "Device battery low" in technical and "Since" in technical
    assert "Technical alerts (device offline, not worn, low battery) never sound" in technical
    sla = client.get("/alerts/sla/").content.decode()
    assert "Health & safety alerts only" in sla and ">From</label>" in sla
    assert "97.5% acknowledged within 60 s" in sla
