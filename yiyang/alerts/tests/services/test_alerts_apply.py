from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from yiyang.alerts.choices import AlertStatus, EventKind
from yiyang.alerts.models import Alert, AlertEvent, Delivery
from yiyang.alerts.services import alert_close, alerts_apply
from yiyang.alerts.services import apply as apply_module
from yiyang.alerts.tests.support import T0, cleared_cmd, downgrade_cmd, raise_cmd, seconds
from yiyang.monitoring.engine.contract import MarkReading

pytestmark = pytest.mark.django_db


def test_raise_opens_one_alert_with_the_policy_fixed_on_it(world):
    # given
    elder = world.elders["elder0"]
    # when
    result = alerts_apply([raise_cmd(elder, code="01")])
    # then
    assert [a.pk for a in result.opened] == list(Alert.objects.values_list("pk", flat=True))
    alert = Alert.objects.get()
    assert (alert.elder_id, alert.alert_type, alert.severity, alert.status) == (elder.pk, "sos", "emergency", "open")
    assert (alert.street_id, alert.district_id) == (elder.street_id, elder.district_id)
    assert alert.opened_at == T0 and alert.repeat_count == 0 and alert.last_detail == {"code": "01"}
    assert [s["after_seconds"] for s in alert.policy["steps"]] == [0, 60, 180, 300]
    assert alert.policy["origin"].startswith("default:")
    assert alert.next_escalation_at == T0 + seconds(60)
    assert list(AlertEvent.objects.values_list("kind", flat=True)) == [EventKind.OPENED]


def test_a_repeat_updates_the_open_alert_instead_of_opening_another(world):
    elder = world.elders["elder0"]
    alerts_apply([raise_cmd(elder, at=T0)])
    # when: the same raise again in a later batch, and twice in one batch
    second = alerts_apply([raise_cmd(elder, at=T0 + seconds(5), code="02")])
    alerts_apply([raise_cmd(elder, at=T0 + seconds(6)), raise_cmd(elder, at=T0 + seconds(7))])
    # then
    assert second.opened == [] and len(second.updated) == 1
    alert = Alert.objects.get()
    assert alert.repeat_count == 3
    assert alert.last_seen_at == T0 + seconds(7)
    assert list(AlertEvent.objects.values_list("kind", flat=True)) == ["opened", "repeated", "repeated"]


def test_the_database_refuses_a_second_open_alert_for_the_same_elder_and_type(world):
    elder = world.elders["elder0"]
    alert = alerts_apply([raise_cmd(elder)]).opened[0]
    duplicate = Alert(
        elder=elder,
        street=elder.street,
        district=elder.district,
        alert_type="sos",
        severity="urgent",
        opened_at=T0,
        last_seen_at=T0,
        escalation_started_at=T0,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert Alert.objects.filter(pk=alert.pk).count() == 1


def test_racing_writers_the_loser_updates_the_alert_the_winner_opened(world):
    # given: writer A has opened the alert; writer B read "nothing open" before A committed
    elder = world.elders["elder0"]
    alerts_apply([raise_cmd(elder, at=T0)])
    real = apply_module._open_alerts
    calls = {"n": 0}

    def stale_then_real(keys):
        calls["n"] += 1
        return {} if calls["n"] == 1 else real(keys)

    # when
    with mock.patch.object(apply_module, "_open_alerts", side_effect=stale_then_real):
        result = alerts_apply([raise_cmd(elder, at=T0 + seconds(2), code="02")])
    # then: the partial unique constraint refused B's insert, which became an update
    assert result.opened == [] and len(result.updated) == 1
    alert = Alert.objects.get()
    assert alert.repeat_count == 1 and alert.last_detail == {"code": "02"}


def test_severity_only_goes_up_on_repeat_and_an_upgrade_restarts_the_higher_policy(world):
    elder = world.elders["elder0"]
    alerts_apply([raise_cmd(elder, "hr_high", "urgent", at=T0, rule="hr.high")])
    alerts_apply([raise_cmd(elder, "hr_high", "watch", at=T0 + seconds(10), rule="hr.watch")])
    assert Alert.objects.get().severity == "urgent"
    # when
    alerts_apply([raise_cmd(elder, "hr_high", "emergency", at=T0 + seconds(20), rule="news2")])
    # then
    alert = Alert.objects.get()
    assert alert.severity == "emergency"
    assert alert.escalation_started_at == T0 + seconds(20)
    assert alert.next_escalation_at == T0 + seconds(80)
    assert "upgraded" in set(AlertEvent.objects.values_list("kind", flat=True))


def test_downgrade_lowers_severity_and_switches_policy(world):
    elder = world.elders["elder0"]
    alerts_apply([raise_cmd(elder, "fall", "emergency", at=T0, rule="fall.declared")])
    # when: the wearer cancels within the confirmation window
    alerts_apply([downgrade_cmd(elder, "fall", "watch", at=T0 + seconds(30), reason="cancel_button")])
    # then: a watch alert has no timed steps, so nothing will escalate
    alert = Alert.objects.get()
    assert alert.severity == "watch"
    assert alert.next_escalation_at is None
    event = AlertEvent.objects.get(kind=EventKind.DOWNGRADED)
    assert event.detail == {"from": "emergency", "to": "watch", "reason": "cancel_button"}


def test_condition_cleared_is_stamped_and_the_alert_stays_open(world):
    elder = world.elders["elder0"]
    alerts_apply([raise_cmd(elder, "spo2_low", "urgent")])
    alerts_apply([cleared_cmd(elder, "spo2_low", at=T0 + seconds(600))])
    alert = Alert.objects.get()
    assert alert.condition_cleared_at == T0 + seconds(600)
    assert alert.status == AlertStatus.OPEN


def test_commands_for_nothing_open_or_unknown_elders_are_skipped_and_other_commands_ignored(world):
    elder = world.elders["elder0"]
    skipped = [downgrade_cmd(elder, "fall", "watch"), cleared_cmd(elder, "hr_high")]
    unknown = raise_cmd(elder)
    unknown = type(unknown)(elder_id=999999, alert_type="sos", severity="emergency", at=T0, rule="x")
    result = alerts_apply([*skipped, unknown, mock.Mock(spec=MarkReading)])
    assert result.opened == [] and result.skipped == [*skipped, unknown]
    assert Alert.objects.count() == 0


def test_a_closed_alert_frees_the_type_so_the_next_raise_opens_a_new_alert(world):
    elder = world.elders["elder0"]
    first = alerts_apply([raise_cmd(elder)]).opened[0]
    alert_close(actor=world.users["street0"], alert=first, close_code="false_alarm_device")
    second = alerts_apply([raise_cmd(elder, at=T0 + seconds(3600))]).opened
    assert len(second) == 1 and second[0].pk != first.pk
    assert Alert.objects.filter(closed_at__isnull=True).count() == 1


def test_a_batch_uses_a_handful_of_queries_whatever_its_size(world, django_assert_max_num_queries):
    commands = [
        raise_cmd(world.elders[k], t, "urgent")
        for k in ("elder0", "elder1", "resident0", "resident1")
        for t in ("hr_high", "spo2_low", "inactivity")
    ]
    with django_assert_max_num_queries(10):
        result = alerts_apply(commands)
    assert len(result.opened) == 12
    with django_assert_max_num_queries(10):
        result = alerts_apply(commands)
    assert len(result.updated) == 12


def test_no_one_is_notified_before_the_alert_commits(world, django_capture_on_commit_callbacks):
    elder = world.elders["elder0"]
    # when: the batch is applied inside a transaction that has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alerts_apply([raise_cmd(elder)])
        # then: the alert exists in the transaction but not a single delivery has gone out
        assert Alert.objects.count() == 1
        assert Delivery.objects.count() == 0
    assert len(callbacks) == 1
    # and when the transaction commits, step 0 (console + call to the watch) is delivered
    callbacks[0]()
    assert sorted(Delivery.objects.values_list("stage", "channel", "recipient_kind")) == [
        ("emergency:s0", "console", "console"),
        ("emergency:s0", "voice", "watch_call"),
    ]
    assert AlertEvent.objects.filter(kind="notified").count() == 1


def test_a_rolled_back_batch_notifies_no_one(world, django_capture_on_commit_callbacks):
    elder = world.elders["elder0"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                alerts_apply([raise_cmd(elder)])
                raise RuntimeError("writer crashed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Alert.objects.count() == 0 and Delivery.objects.count() == 0
