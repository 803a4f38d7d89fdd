"""The two console views: health & safety alerts and technical alerts (severity `technical`)."""

import pytest
from django.utils import timezone

from yiyang.alerts.choices import AlertCategory, category_of
from yiyang.alerts.selectors import (
    AlertFilters,
    alert_console_list,
    alert_list,
    alert_open_counts,
    technical_alert_devices,
)
from yiyang.alerts.services import alert_close, alerts_apply
from yiyang.alerts.tests.support import T0, raise_cmd
from yiyang.devices.models import Device, DeviceBinding

pytestmark = pytest.mark.django_db


def battery(elder, device_id, at=T0):
    return raise_cmd(elder, "battery_low", "technical", at=at, rule="battery_low", device_id=device_id, battery=15)


def offline(elder, device_id, at=T0):
    return raise_cmd(elder, "device_offline", "technical", at=at, rule="device_offline", device_id=device_id)


def not_worn(elder, at=T0):
    return raise_cmd(elder, "not_worn", "technical", at=at, rule="not_worn", deadline=T0.isoformat())


def device(world, street, kind, identifier, elder=None):
    made = Device.objects.create(
        kind=kind, protocol="iw_tcp", identifier=identifier, district=world.district, street=world.streets[street]
    )
    if elder is not None:
        DeviceBinding.objects.create(device=made, elder=elder, since=timezone.now())
    return made


@pytest.fixture
def mixed(world):
    """street 0: an SOS, an inactivity alert and a battery alert for elder0, a not-worn alert for
    resident0; street 1: an SOS and an offline alert for elder1."""
    e0, r0, e1 = world.elders["elder0"], world.elders["resident0"], world.elders["elder1"]
    alerts_apply(
        [
            raise_cmd(e0),
            raise_cmd(e0, "inactivity", "urgent", rule="inactivity"),
            battery(e0, 999),
            not_worn(r0),
            raise_cmd(e1),
            offline(e1, 998),
        ]
    )
    return world


def kinds(qs):
    return sorted((a.elder.name, a.alert_type) for a in qs)


def test_category_is_read_from_the_severity():
    assert [category_of(s) for s in ("emergency", "urgent", "watch", "technical")] == [
        AlertCategory.HEALTH,
        AlertCategory.HEALTH,
        AlertCategory.HEALTH,
        AlertCategory.TECHNICAL,
    ]


def test_the_health_view_holds_every_alert_but_technical_ones(mixed):
    assert kinds(alert_console_list(user=mixed.users["street0"])) == [
        ("elder0老人", "inactivity"),
        ("elder0老人", "sos"),
    ]


def test_the_technical_view_holds_only_technical_alerts(mixed):
    assert kinds(alert_console_list(user=mixed.users["street0"], category="technical")) == [
        ("elder0老人", "battery_low"),
        ("resident0老人", "not_worn"),
    ]
    assert kinds(
        alert_console_list(user=mixed.users["bureau"], category="technical", street=mixed.streets[1].public_id)
    ) == [
        ("elder1老人", "device_offline"),
    ]


def test_the_list_filter_by_category_and_without_one(mixed):
    bureau = mixed.users["bureau"]
    assert alert_list(user=bureau).count() == 6
    assert alert_list(user=bureau, filters=AlertFilters(category="health")).count() == 3
    assert alert_list(user=bureau, filters=AlertFilters(category="technical")).count() == 3


def test_open_counts_per_view_in_reach_and_street(mixed):
    assert alert_open_counts(user=mixed.users["street0"]) == {"health": 2, "technical": 2}
    assert alert_open_counts(user=mixed.users["bureau"]) == {"health": 3, "technical": 3}
    assert alert_open_counts(user=mixed.users["bureau"], street=mixed.streets[1].public_id) == {
        "health": 1,
        "technical": 1,
    }
    assert alert_open_counts(user=mixed.users["street0_noright"]) == {"health": 0, "technical": 0}


def test_closed_alerts_are_not_counted(mixed):
    sos = alert_console_list(user=mixed.users["street0"]).get(alert_type="sos")
    alert_close(actor=mixed.users["street0"], alert=sos, close_code="duplicate")
    assert alert_open_counts(user=mixed.users["street0"]) == {"health": 1, "technical": 2}


def test_technical_alerts_show_their_device_or_the_elders_watch(world):
    e0, r0 = world.elders["elder0"], world.elders["resident0"]
    mattress = device(world, 0, "mattress", "M-1", elder=e0)
    device(world, 0, "mattress", "M-2", elder=r0)  # not a watch: not shown for "not worn"
    watch = device(world, 0, "watch", "W-1", elder=r0)
    result = alerts_apply([offline(e0, mattress.pk), not_worn(r0), not_worn(e0)])
    by_type = {(a.elder_id, a.alert_type): a for a in result.opened}
    found = technical_alert_devices(user=world.users["street0"], alerts=result.opened)
    assert found == {
        by_type[(e0.pk, "device_offline")].pk: mattress,
        by_type[(r0.pk, "not_worn")].pk: watch,
    }  # elder0 wears no watch: nothing for its "not worn" alert


def test_devices_out_of_device_reach_are_not_shown(world):
    e0 = world.elders["elder0"]
    mattress = device(world, 0, "mattress", "M-1", elder=e0)
    alert = alerts_apply([offline(e0, mattress.pk)]).opened[0]
    # medical staff may view alerts but not devices; the health officer likewise
    assert technical_alert_devices(user=world.users["health_officer"], alerts=[alert]) == {}
    assert technical_alert_devices(user=world.users["street0"], alerts=[alert]) == {alert.pk: mattress}
