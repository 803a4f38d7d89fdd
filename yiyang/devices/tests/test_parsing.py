import json
from datetime import UTC, datetime

import pytest

from yiyang.devices.adapters.parsing import Malformed, parse_http_push, parse_iw_frame, parse_mqtt
from yiyang.monitoring.engine import contract as c

NOW = datetime(2025, 5, 8, 6, 30, tzinfo=UTC)
IMEI = "353456789012345"


def codes(readings):
    return [(r.code, r.value) for r in readings]


# ------------------------------------------------------------------------------------------- IW
def test_login_answers_with_the_server_time_and_zone():
    frame = parse_iw_frame(f"IWAP00{IMEI}#", now=NOW)
    assert frame.imei == IMEI
    assert frame.ack == "IWBP00,20250508063000,8#"
    assert codes(frame.readings) == [(c.HEARTBEAT, None)]


@pytest.mark.parametrize(
    ("text", "expected", "ack"),
    [
        ("IWAP03,06000908000102,5555,30#", [(c.HEARTBEAT, None), (c.BATTERY, 90)], "IWBP03#"),
        ("IWAP49,68#", [(c.HEART_RATE, 68)], "IWBP49#"),
        ("IWAPHT,60,130,85#", [(c.HEART_RATE, 60), (c.SYSTOLIC_BP, 130), (c.DIASTOLIC_BP, 85)], "IWBPHT#"),
        (
            "IWAPHP,60,130,85,95,5.6,36.5#",
            [(c.HEART_RATE, 60), (c.SYSTOLIC_BP, 130), (c.DIASTOLIC_BP, 85), (c.SPO2, 95), (c.BODY_TEMPERATURE, 36.5)],
            "IWBPHP#",
        ),
        ("IWAPHP,0,0,0,97,0,0#", [(c.SPO2, 97)], "IWBPHP#"),
        ("IWAP50,36.7,90#", [(c.BODY_TEMPERATURE, 36.7), (c.BATTERY, 90)], "IWBP50#"),
        ("IWAP01080524A2232.9806N11404.9355E000.1061830323.8706000908000102#", [], "IWBP01#"),
    ],
)
def test_every_iw_frame_maps_to_readings_and_is_acknowledged(text, expected, ack):
    frame = parse_iw_frame(text, imei=IMEI, now=NOW)
    assert codes(frame.readings) == expected
    assert frame.ack == ack
    assert all(r.identifier == IMEI for r in frame.readings)


@pytest.mark.parametrize(("code", "alarm"), [("01", c.ALARM_SOS), ("05", c.ALARM_FALL), ("06", c.ALARM_FALL),
                                             ("03", c.ALARM_NOT_WORN), ("00", None)])  # fmt: skip
def test_alarm_frame_maps_its_code_and_carries_the_device_time(code, alarm):
    text = f"IWAP10080524A2232.9806N11404.9355E000.1061830323.8706000908000102,{code},zh_cn,00#"
    frame = parse_iw_frame(text, imei=IMEI, now=NOW)
    assert frame.ack == "IWBP10#"
    if alarm is None:
        assert frame.readings == []
    else:
        (reading,) = frame.readings
        assert reading.code == alarm
        assert reading.device_ts == datetime(2024, 5, 8, 6, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "imei", "reason"),
    [
        ("hello", IMEI, "frame: expected IW<CMD>...#"),
        ("IWAP00123#", "", "AP00: expected a 15-digit IMEI"),
        ("IWAP49,68#", "", "AP49: no login (AP00) on this connection"),
        ("IWAP49,abc#", IMEI, "hr: not a number"),
        ("IWAPHT,60,130#", IMEI, "APHT: expected 3 fields"),
        ("IWAP10garbage,01#", IMEI, "AP10: expected <location block>,<alarm code>,..."),
    ],
)
def test_malformed_iw_frames_are_rejected_with_a_reason(text, imei, reason):
    with pytest.raises(Malformed) as caught:
        parse_iw_frame(text, imei=imei, now=NOW)
    assert caught.value.reason == reason


# ----------------------------------------------------------------------------------------- MQTT
TOPIC = "yiyang/350206/door_sensor/door-0001/telemetry"


def test_mqtt_timestamped_values():
    payload = json.dumps({"ts": 1715149110000, "id": "m1", "values": {"door": "open", "battery": 80}})
    readings = parse_mqtt(TOPIC, payload)
    assert codes(readings) == [(c.DOOR, "open"), (c.BATTERY, 80)]
    assert readings[0].device_ts == datetime(2024, 5, 8, 6, 18, 30, tzinfo=UTC)
    assert readings[0].message_id == "m1"


def test_mqtt_buffered_array_and_flat_forms():
    flush = [{"ts": 1715149110000, "values": {"hr": 70}}, {"ts": 1715149170000, "values": {"hr": 72, "8310-5": 36.6}}]
    assert codes(parse_mqtt(TOPIC, json.dumps(flush))) == [(c.HEART_RATE, 70), (c.HEART_RATE, 72),
                                                          (c.BODY_TEMPERATURE, 36.6)]  # fmt: skip
    flat = parse_mqtt(TOPIC, b'{"sos": true, "motion": "kitchen"}')
    assert codes(flat) == [(c.ALARM_SOS, None), (c.MOTION, "kitchen")]
    assert flat[0].device_ts is None


def test_out_of_range_and_future_values_pass_to_the_engine():
    readings = parse_mqtt(TOPIC, json.dumps({"ts": 4102444800000, "values": {"hr": 400}}))
    assert codes(readings) == [(c.HEART_RATE, 400)]
    assert readings[0].device_ts.year == 2100


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("other/x", "{}", "topic: expected yiyang/<district>/<device_kind>/<identifier>/<kind>"),
        (
            "yiyang/1/door_sensor/door-0001/nonsense",
            "{}",
            "topic: kind must be one of ['alarm', 'status', 'telemetry']",
        ),
        (TOPIC, "{not json", "payload: not JSON"),
        (TOPIC, "[]", "payload: empty array"),
        (TOPIC, '{"ts": 1, "values": {}}', "values: expected a non-empty object"),
        (TOPIC, '{"ts": "yesterday", "values": {"hr": 1}}', "ts: not ISO 8601"),
        (TOPIC, '{"values": {"pulse": 70}}', "pulse: unknown field"),
        (TOPIC, '{"hr": "seventy"}', "hr: not a number"),
        (TOPIC, '{"door": "ajar"}', "door: expected one of ['closed', 'open']"),
    ],
)
def test_malformed_mqtt_messages_are_rejected_with_a_reason(topic, payload, reason):
    with pytest.raises(Malformed) as caught:
        parse_mqtt(topic, payload)
    assert caught.value.reason == reason


# ----------------------------------------------------------------------------------- HTTP push
def test_radar_push_in_bed_with_a_fall_warning():
    body = {"mac": "AA:BB:CC:00:11:22", "time": "2025-05-08T06:30:00+08:00", "heartRate": 66, "breath": 15,
            "bedStatus": 1, "signal": 80, "warnType": 14, "msgId": "r-1"}  # fmt: skip
    readings = parse_http_push("radar", body)
    assert codes(readings) == [(c.BED_OCCUPANCY, "in"), (c.HEART_RATE, 66), (c.RESPIRATORY_RATE, 15),
                               (c.ALARM_FALL, None), (c.HEARTBEAT, None)]  # fmt: skip
    assert readings[1].quality.signal == 80
    assert readings[0].device_ts == datetime(2025, 5, 7, 22, 30, tzinfo=UTC)


def test_radar_zeros_from_an_empty_bed_are_marked_invalid():
    readings = parse_http_push(
        "radar", {"mac": "AA:BB:CC:00:11:22", "time": 1715149110, "heartRate": 0, "bedStatus": 0}
    )
    hr = next(r for r in readings if r.code == c.HEART_RATE)
    assert hr.quality.valid is False and hr.quality.reason == "empty_bed"


def test_mattress_records():
    body = {"device": "WS-0001", "records": [
        {"ts": 1715149110000, "status": 4, "bpm": 72, "rpm": 16, "signal": "64/100"},
        {"ts": 1715149120000, "status": 0, "bpm": 0, "rpm": 0},
        {"ts": 1715149130000, "status": 1},
    ]}  # fmt: skip
    readings = parse_http_push("mattress", body)
    assert codes(readings) == [(c.BED_OCCUPANCY, "in"), (c.HEART_RATE, 72), (c.RESPIRATORY_RATE, 16),
                               (c.BED_OCCUPANCY, "in"), (c.HEART_RATE, 0), (c.RESPIRATORY_RATE, 0),
                               (c.BED_OCCUPANCY, "out")]  # fmt: skip
    assert readings[1].quality.signal == 64
    assert readings[4].quality.reason == "poor_signal"


@pytest.mark.parametrize(
    ("vendor", "body", "reason"),
    [
        ("acme", {}, "vendor: unknown (acme)"),
        ("radar", [], "body: expected a JSON object"),
        ("radar", {"time": 1}, "mac/sn: missing or bad device identifier"),
        ("radar", {"mac": "AA:BB:CC:00:11:22"}, "time: missing"),
        ("radar", {"mac": "AA:BB:CC:00:11:22", "time": 1, "bedStatus": 3}, "bedStatus: expected 0 or 1"),
        ("mattress", {"device": "WS-0001", "records": []}, "records: expected a non-empty array"),
        (
            "mattress",
            {"device": "WS-0001", "records": [{"ts": 1, "status": 9}]},
            "records[0].status: expected 0, 1 or 4",
        ),
    ],
)
def test_malformed_pushes_are_rejected_with_a_reason(vendor, body, reason):
    with pytest.raises(Malformed) as caught:
        parse_http_push(vendor, body)
    assert caught.value.reason == reason
