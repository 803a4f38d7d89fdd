"""The device, pending-device and unreadable-message lists page, search and filter, and keep their
filters when paging; counts are grouped for the locale."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.core.testing import World
from yiyang.devices.models import DeadLetter, Device, PendingDevice

pytestmark = pytest.mark.django_db


def get(world: World, path: str, user: str = "street0") -> str:
    client = Client()
    client.force_login(world.users[user])
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_paging_the_device_list_keeps_its_filters(world):
    Device.objects.bulk_create(
        Device(
            kind="watch", protocol="iw_tcp", identifier=f"W{i:03d}", district=world.district, street=world.streets[0]
        )
        for i in range(35)
    )
    Device.objects.create(
        kind="door_sensor", protocol="mqtt_json", identifier="D1", district=world.district, street=world.streets[0]
    )
    html = get(world, "/devices/?kind=watch")
    assert html.count('data-testid="device-row"') == 30
    assert 'data-testid="device-count">符合条件 35 台<' in html
    assert "第 1 / 2 页，共 35 条" in html
    assert 'href="?kind=watch&page=2"' in html  # the old pager dropped the filter: ?page=2
    assert get(world, "/devices/?kind=watch&page=2").count('data-testid="device-row"') == 5


def test_the_device_list_filters_by_binding(world):
    Device.objects.create(
        kind="watch", protocol="iw_tcp", identifier="W1", district=world.district, street=world.streets[0]
    )
    html = get(world, "/devices/?bound=0")
    assert re.findall(r'data-testid="device-row">.*?>(W1)</a>', html, re.S) == ["W1"]
    assert 'data-testid="device-row"' not in get(world, "/devices/?bound=1")


def pending(identifier: str, protocol: str = "iw_tcp", vendor: str = "") -> PendingDevice:
    now = timezone.now()
    return PendingDevice(protocol=protocol, identifier=identifier, vendor=vendor, first_seen_at=now, last_seen_at=now)


def test_the_pending_list_searches_and_filters(world):
    PendingDevice.objects.bulk_create(
        [pending("8690001"), pending("8690002"), pending("door-9", "mqtt_json", vendor="安居")]
    )
    assert get(world, "/devices/pending/?q=869").count('data-testid="pending-row"') == 2
    assert get(world, "/devices/pending/?q=安居").count('data-testid="pending-row"') == 1
    assert get(world, "/devices/pending/?protocol=mqtt_json").count('data-testid="pending-row"') == 1
    assert 'data-testid="pending-count">共 3 条<' in get(world, "/devices/pending/")


def test_unreadable_messages_filter_and_group_their_count(world):
    start = timezone.now()
    DeadLetter.objects.bulk_create(
        DeadLetter(
            adapter="iw_tcp" if i % 2 else "mqtt_json",
            source=f"10.0.0.{i % 7}",
            payload="x",
            reason="bad frame",
            received_at=start - timedelta(seconds=i),
        )
        for i in range(2_000)
    )
    html = get(world, "/devices/dead-letters/")
    assert 'data-testid="dead-letter-count">共 2,000 条<' in html
    assert "第 1 / 67 页，共 2,000 条" in html
    assert "2000" not in re.sub(r'href="[^"]*"', "", html)
    html = get(world, "/devices/dead-letters/?adapter=iw_tcp&q=10.0.0.3")
    assert 'data-testid="dead-letter-count">共 143 条<' in html
    assert 'href="?adapter=iw_tcp&amp;q=10.0.0.3&page=2"' in html
    assert '<option value="iw_tcp" selected>iw_tcp</option>' in html


def test_the_device_page_records_the_elders_its_binding_history_names(world):
    # Defect: the page listed the elders the device was bound to and recorded only the device.
    from yiyang.audit.models import AuditEvent
    from yiyang.devices.models import DeviceBinding

    device = Device.objects.create(
        kind="watch", protocol="iw_tcp", identifier="W9", district=world.district, street=world.streets[0]
    )
    now = timezone.now()
    old = DeviceBinding.objects.create(
        device=device, elder=world.elders["elder1"], since=now - timedelta(days=9), until=now - timedelta(days=2)
    )
    current = DeviceBinding.objects.create(device=device, elder=world.elders["elder0"], since=now - timedelta(days=1))
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    html = get(world, f"/devices/{device.public_id}/")
    assert html.count('data-testid="binding-row"') == 2
    event = AuditEvent.objects.get(id__gt=before, entity_type="device_binding")
    assert event.record_ids == [str(current.public_id), str(old.public_id)]
