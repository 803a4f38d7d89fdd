import json

import pytest
from rest_framework.test import APIClient

from yiyang.devices.models import DeadLetter, DeviceReading, PendingDevice
from yiyang.devices.selectors import intake_counts

URL = "/api/v1/devices/push/radar/"
HEADER = {"HTTP_X_YIYANG_PUSH_SECRET": "s3cret"}


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.DEVICE_PUSH_SECRETS = {"radar": "s3cret", "mattress": "m"}


def push(body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return APIClient().post(URL, data, content_type="application/json", **headers)


def test_a_push_is_answered_202_after_the_readings_are_stored(kit):
    response = push({"mac": kit.radar.identifier, "time": 1746691200, "heartRate": 66, "bedStatus": 1}, **HEADER)
    assert response.status_code == 202, response.content
    assert response.json() == {"accepted": 3, "duplicate": 0, "pending": 0}
    assert DeviceReading.objects.filter(device_id=kit.radar.pk).count() == 3


def test_the_same_push_twice_is_stored_once(kit):
    body = {"mac": kit.radar.identifier, "time": 1746691200, "msgId": "p-7", "heartRate": 66, "bedStatus": 1}
    assert push(body, **HEADER).status_code == 202
    assert push(body, **HEADER).status_code == 202
    assert DeviceReading.objects.count() == 3


def test_a_malformed_push_is_400_with_the_reason_and_a_dead_letter(kit):
    response = push("{not json", **HEADER)
    assert response.status_code == 400
    assert response.json()["detail"] == "body: not JSON"
    letter = DeadLetter.objects.get()
    assert (letter.adapter, letter.payload, letter.reason) == ("http_radar", "{not json", "body: not JSON")
    assert intake_counts()["http_radar/malformed"] == 1


def test_an_unknown_radar_is_held_as_pending(kit):
    assert push({"mac": "FF:FF:FF:00:00:01", "time": 1746691200, "bedStatus": 1}, **HEADER).status_code == 202
    assert PendingDevice.objects.get().identifier == "FF:FF:FF:00:00:01"


@pytest.mark.parametrize("headers", [{}, {"HTTP_X_YIYANG_PUSH_SECRET": "wrong"}, {"HTTP_X_YIYANG_PUSH_SECRET": "m"}])
def test_the_vendor_secret_is_checked(kit, headers):
    response = push({"mac": kit.radar.identifier, "time": 1746691200, "bedStatus": 1}, **headers)
    assert response.status_code == 401
    assert DeviceReading.objects.count() == 0 and DeadLetter.objects.count() == 0
