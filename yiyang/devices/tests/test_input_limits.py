"""Device input at the edge: physically impossible numbers are dead letters; replays are counted as such."""

import json
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from yiyang.devices.adapters.parsing import Malformed, parse_http_push, parse_iw_frame, parse_mqtt
from yiyang.devices.models import DeadLetter, DeviceReading

URL = "/api/v1/devices/push/radar/"
HEADER = {"HTTP_X_YIYANG_PUSH_SECRET": "s3cret"}
T0 = datetime(2025, 5, 8, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.DEVICE_PUSH_SECRETS = {"radar": "s3cret", "mattress": "m"}


def push(data):
    body = data if isinstance(data, bytes) else json.dumps(data)
    return APIClient().post(URL, body, content_type="application/json", **HEADER)


def test_a_replayed_push_answers_accepted_0_and_duplicate_3(kit):
    body = {"mac": kit.radar.identifier, "time": 1746691200, "msgId": "p-7", "heartRate": 66, "bedStatus": 1}
    first, again = push(body), push(body)
    assert first.json() == {"accepted": 3, "duplicate": 0, "pending": 0}
    assert again.status_code == 202
    assert again.json() == {"accepted": 0, "duplicate": 3, "pending": 0}
    assert DeviceReading.objects.count() == 3


@pytest.mark.parametrize("heart_rate", ["1e308", "-1", "1000"])
def test_a_physically_impossible_heart_rate_is_a_dead_letter_with_the_reason(kit, heart_rate):
    body = f'{{"mac": "{kit.radar.identifier}", "time": 1746691200, "heartRate": {heart_rate}, "bedStatus": 1}}'
    response = push(body.encode())
    assert response.status_code == 400
    reason = response.json()["errors"][0]["reason"]
    assert reason.startswith("heartRate: ") and "0-600" in reason
    assert DeviceReading.objects.count() == 0
    assert DeadLetter.objects.get().reason == reason


def test_json_nested_too_deep_is_a_dead_letter_not_a_500(kit):
    response = push(b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400
    assert "nested" in response.json()["errors"][0]["reason"]
    assert DeadLetter.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ('{"hr": 1e308}', "hr: 1e+308 outside the physical range 0-600"),
        ('{"spo2": 101}', "spo2: 101 outside the physical range 0-100"),
        ('{"temp": 60}', "temp: 60 outside the physical range 0-50"),
        ('{"sbp": -5}', "sbp: -5 outside the physical range 0-400"),
        ('{"battery": 150}', "battery: 150 outside the physical range 0-100"),
    ],
)
def test_mqtt_values_outside_physical_ranges_are_malformed(payload, reason):
    with pytest.raises(Malformed) as caught:
        parse_mqtt("yiyang/350206/watch/W-0001/telemetry", payload)
    assert caught.value.reason == reason


def test_nan_and_infinity_are_not_numbers_on_every_path():
    with pytest.raises(Malformed):
        parse_mqtt("yiyang/350206/watch/W-0001/telemetry", '{"hr": NaN}')
    with pytest.raises(Malformed, match="hr: not a number"):
        parse_iw_frame("IWAP49,inf#", imei="353456789012345", now=T0)
    with pytest.raises(Malformed, match="outside the physical range"):
        parse_iw_frame("IWAPHT,700,120,80#", imei="353456789012345", now=T0)
    with pytest.raises(Malformed, match="bpm"):
        parse_http_push("mattress", {"device": "WS-0001", "records": [{"ts": 1746691200, "status": 4, "bpm": 9e99}]})


def test_values_at_the_bounds_and_clinically_odd_values_still_pass_to_the_engine():
    readings = parse_mqtt("yiyang/350206/watch/W-0001/telemetry", '{"hr": 350, "spo2": 0, "temp": 0}')
    assert [r.value for r in readings] == [350, 0, 0]


def test_an_alarm_survives_an_implausible_value_in_its_message():
    # A glitched vital (65535, 255: common "no value" codes) must never cost an elder their fall or SOS
    # alert: the implausible reading alone is left out.
    radar = {"mac": "AA:BB:CC:00:11:22", "time": 1746691200, "heartRate": 65535, "warnType": 14}
    readings = parse_http_push("radar", radar)
    assert [(r.kind, r.code) for r in readings] == [("alarm", "alarm.fall"), ("tech", "tech.heartbeat")]
    readings = parse_mqtt("yiyang/350206/watch/W-0001/alarm", '{"sos": true, "battery": 255}')
    assert [(r.kind, r.code) for r in readings] == [("alarm", "alarm.sos")]
    # Without an alarm the message stays a dead letter naming the value.
    with pytest.raises(Malformed, match="heartRate: 65535 outside the physical range 0-600"):
        parse_http_push("radar", {"mac": "AA:BB:CC:00:11:22", "time": 1746691200, "heartRate": 65535})
