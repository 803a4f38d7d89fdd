import pytest

from yiyang.alerts.models import Alert, AlertEvent, Delivery
from yiyang.alerts.policy import default_policy
from yiyang.alerts.services import alert_acknowledge, alert_close, alerts_apply, escalation_policy_set, escalation_sweep
from yiyang.alerts.tests.support import T0, grant, raise_cmd, seconds
from yiyang.core.testing import set_permissions

pytestmark = pytest.mark.django_db


def delivered(stage: str) -> list[tuple[str, str]]:
    return sorted(Delivery.objects.filter(stage=stage).values_list("recipient_kind", "channel"))


def test_an_unacknowledged_emergency_escalates_at_60_180_and_300_seconds(homes, django_capture_on_commit_callbacks):
    world = homes
    grant(world.users["centre0"], "alerts.supervise")
    alerts_apply([raise_cmd(world.elders["elder0"], at=T0)])
    with django_capture_on_commit_callbacks(execute=True):
        assert escalation_sweep(now=T0 + seconds(59)).steps == []
        step1 = escalation_sweep(now=T0 + seconds(60)).steps
    assert [(s, r) for _a, s, r in step1] == [("emergency:s1", ["helper", "family"])]
    assert delivered("emergency:s1") == [("family", "sms"), ("family", "voice"), ("helper", "sms")]
    alert = Alert.objects.get()
    assert (alert.escalation_step, alert.next_escalation_at) == (1, T0 + seconds(180))
    with django_capture_on_commit_callbacks(execute=True):
        assert escalation_sweep(now=T0 + seconds(179)).steps == []
        step2 = escalation_sweep(now=T0 + seconds(180)).steps
    assert [s for _a, s, _r in step2] == ["emergency:s2"]
    assert Delivery.objects.get(stage="emergency:s2").recipient_ref == f"user:{world.users['centre0'].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        step3 = escalation_sweep(now=T0 + seconds(300)).steps
    assert [(s, r) for _a, s, r in step3] == [("emergency:s3", ["emergency_120", "supervisor"])]
    assert ("emergency_120", "voice") in delivered("emergency:s3")
    alert.refresh_from_db()
    assert alert.next_escalation_at is None  # nothing left: the 120 hand-off was the last step
    assert escalation_sweep(now=T0 + seconds(3600)).steps == []


def test_a_sweeper_that_was_down_takes_every_missed_step_in_order(world):
    alerts_apply([raise_cmd(world.elders["elder0"], at=T0)])
    steps = escalation_sweep(now=T0 + seconds(200)).steps
    assert [s for _a, s, _r in steps] == ["emergency:s1", "emergency:s2"]
    late = [e.detail["late_ms"] for e in AlertEvent.objects.filter(kind="escalated").order_by("id")]
    assert late == [140_000, 20_000]


def test_an_acknowledged_alert_stops_the_ack_timeout_steps(world):
    alert = alerts_apply([raise_cmd(world.elders["elder0"], "hr_high", "urgent", at=T0)]).opened[0]
    alert_acknowledge(actor=world.users["street0"], alert=alert)
    assert escalation_sweep(now=T0 + seconds(3600)).steps == []  # urgent: no re-escalation by default


def test_an_acknowledged_emergency_not_resolved_in_30_minutes_re_escalates(world):
    from django.utils import timezone

    now = timezone.now()
    alert = alerts_apply([raise_cmd(world.elders["elder0"], at=now)]).opened[0]
    alert = alert_acknowledge(actor=world.users["street0"], alert=alert)
    acked = alert.acknowledged_at
    assert escalation_sweep(now=acked + seconds(29 * 60)).steps == []
    steps = escalation_sweep(now=acked + seconds(30 * 60)).steps
    assert [(s, r) for _a, s, r in steps] == [("emergency:re1", ["supervisor", "helper"])]
    alert.refresh_from_db()
    assert alert.next_escalation_at == acked + seconds(60 * 60)
    assert AlertEvent.objects.get(kind="escalated").detail["reason"] == "acknowledged_not_resolved"
    alert_close(actor=world.users["street0"], alert=alert, close_code="true_emergency")
    assert escalation_sweep(now=acked + seconds(2 * 3600)).steps == []


def test_the_policy_is_fixed_when_the_alert_opens(world):
    # given: an alert open under the default policy
    old = alerts_apply([raise_cmd(world.elders["elder0"], at=T0)]).opened[0]
    # when: the district changes its emergency policy to escalate at 30 s
    policy = default_policy("emergency")
    policy["steps"][1]["after_seconds"] = 30
    escalation_policy_set(
        actor=world.users["bureau"],
        district=world.district,
        severity="emergency",
        policy=policy,
        source="区民政局2025年第1号通知",
    )
    new = alerts_apply([raise_cmd(world.elders["elder1"], at=T0)]).opened[0]
    # then: the open alert keeps 60 s; only the alert opened afterwards uses 30 s
    old.refresh_from_db()
    assert old.policy["steps"][1]["after_seconds"] == 60 and old.next_escalation_at == T0 + seconds(60)
    assert new.policy["steps"][1]["after_seconds"] == 30 and new.next_escalation_at == T0 + seconds(30)
    assert [a for a, _s, _r in escalation_sweep(now=T0 + seconds(45)).steps] == [new.pk]


def test_a_recipient_nobody_holds_is_recorded_as_skipped(world, django_capture_on_commit_callbacks):
    set_permissions(world.users["bureau"], "alerts.view")
    alerts_apply([raise_cmd(world.elders["elder0"], at=T0)])
    with django_capture_on_commit_callbacks(execute=True):
        escalation_sweep(now=T0 + seconds(180))
    # no account holds alerts.supervise in the community, street or district; elder0 has no contact
    skipped = set(Delivery.objects.filter(status="skipped").values_list("stage", "recipient_kind"))
    assert skipped == {("emergency:s2", "supervisor")}
    assert Delivery.objects.filter(stage="emergency:s1", recipient_kind="family", channel="sms").exists()  # family link


@pytest.mark.django_db(transaction=True)
def test_a_policy_change_whose_audit_fails_is_not_kept(world, monkeypatch):
    # "Audited" is a guarantee: the change and its audit event commit together or not at all.
    from yiyang.alerts.models import EscalationPolicy
    from yiyang.alerts.services import policy as policy_service

    grant(world.users["bureau"], "alerts.configure")

    def failing_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(policy_service, "audit_record", failing_audit)
    before = EscalationPolicy.objects.count()
    with pytest.raises(RuntimeError):
        escalation_policy_set(
            actor=world.users["bureau"],
            district=world.district,
            severity="emergency",
            policy=default_policy("emergency"),
            source="区民政局2025年第1号通知",
        )
    assert EscalationPolicy.objects.count() == before
