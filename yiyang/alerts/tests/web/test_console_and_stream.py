import json

import pytest
from django.core.management import call_command

from yiyang.alerts.models import Alert
from yiyang.alerts.selectors import alert_event_cursor
from yiyang.alerts.services import alerts_apply
from yiyang.alerts.tests.support import T0, raise_cmd
from yiyang.alerts.web import stream
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
    assert 'data-testid="handoff-sheet"' in text and "第0街道幸福里1号" in text
    family = page_client(homes.users["family0"]).get(f"/alerts/{alert.public_id}/")
    assert family.status_code == 200 and 'data-testid="handoff-sheet"' not in family.content.decode()


def test_escalate_command_once(world, capsys):
    alerts_apply([raise_cmd(world.elders["elder0"], at=T0)])
    call_command("escalate", "--once")
    assert Alert.objects.get().escalation_step == 3
    assert "escalated 3 step(s)" in capsys.readouterr().out
