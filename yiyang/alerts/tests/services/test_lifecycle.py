import pytest
from django.utils import timezone

from yiyang.alerts.choices import AlertStatus
from yiyang.alerts.errors import AlertNotFound, AlertTransitionRefused
from yiyang.alerts.models import AlertEvent, Delivery
from yiyang.alerts.services import alert_acknowledge, alert_close, alert_dispatch, alert_on_scene, alerts_apply
from yiyang.alerts.tests.support import raise_cmd
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(world):
    return alerts_apply([raise_cmd(world.elders["elder0"], at=timezone.now())]).opened[0]


def test_the_full_lifecycle_is_timed_attributed_and_audited(world, alert, django_capture_on_commit_callbacks):
    staff = world.users["station0"]
    alert = alert_acknowledge(actor=staff, alert=alert)
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, staff)
    # acknowledged: no more ack-timeout steps, the 30-minute re-escalation is armed instead
    assert alert.next_escalation_at == alert.acknowledged_at + timezone.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_dispatch(actor=staff, alert=alert, target="helper")
    assert (alert.status, alert.dispatch_target, alert.dispatched_by) == ("dispatched", "helper", staff)
    assert Delivery.objects.filter(stage="dispatch1:helper", recipient_ref=f"user:{world.users['helper0'].pk}").exists()
    alert = alert_on_scene(actor=world.users["helper0"], alert=alert)
    assert (alert.status, alert.on_scene_by) == ("on_scene", world.users["helper0"])
    alert = alert_close(actor=staff, alert=alert, close_code="true_emergency", note="送医")
    assert (alert.status, alert.close_code, alert.closed_by, alert.next_escalation_at) == (
        "resolved",
        "true_emergency",
        staff,
        None,
    )
    assert list(alert.events.exclude(kind="notified").values_list("kind", flat=True)) == [
        "opened",
        "acknowledged",
        "dispatched",
        "on_scene",
        "closed",
    ]
    assert AuditEvent.objects.filter(entity_type="alert", entity_id=str(alert.public_id)).count() == 4


def test_acknowledge_is_idempotent(world, alert):
    first = alert_acknowledge(actor=world.users["street0"], alert=alert)
    again = alert_acknowledge(actor=world.users["station0"], alert=alert)
    assert again.acknowledged_by == world.users["street0"] and again.acknowledged_at == first.acknowledged_at
    assert AlertEvent.objects.filter(kind="acknowledged").count() == 1


def test_dispatch_from_open_also_acknowledges_and_repeating_it_changes_nothing(world, alert):
    alert = alert_dispatch(actor=world.users["street0"], alert=alert, target="family")
    assert alert.acknowledged_at is not None and alert.status == "dispatched"
    alert_dispatch(actor=world.users["street0"], alert=alert, target="family")
    assert AlertEvent.objects.filter(kind="dispatched").count() == 1
    # a further dispatch (120 after family) keeps the first dispatch time
    later = alert_dispatch(actor=world.users["street0"], alert=alert, target="emergency_120")
    assert later.dispatched_at == alert.dispatched_at and later.dispatch_target == "emergency_120"


@pytest.mark.parametrize("status_steps", [[], ["acknowledge"]])
def test_on_scene_before_dispatch_is_refused(world, alert, status_steps):
    if status_steps:
        alert_acknowledge(actor=world.users["street0"], alert=alert)
    with pytest.raises(AlertTransitionRefused):
        alert_on_scene(actor=world.users["street0"], alert=alert)
    alert.refresh_from_db()
    assert alert.on_scene_at is None


def test_close_needs_a_valid_code_and_other_needs_a_note(world, alert):
    with pytest.raises(ValidationFailed) as missing:
        alert_close(actor=world.users["street0"], alert=alert, close_code="")
    assert [e.field for e in missing.value.errors] == ["close_code"]
    with pytest.raises(ValidationFailed) as other:
        alert_close(actor=world.users["street0"], alert=alert, close_code="other")
    assert [e.field for e in other.value.errors] == ["note"]
    alert.refresh_from_db()
    assert alert.closed_at is None


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("false_alarm_device", "false_alarm"),
        ("false_alarm_behaviour", "false_alarm"),
        ("cancelled_by_elder", "cancelled_by_elder"),
        ("duplicate", "resolved"),
    ],
)
def test_an_open_alert_can_be_closed_directly_and_the_code_sets_the_status(world, alert, code, status):
    closed = alert_close(actor=world.users["street0"], alert=alert, close_code=code)
    assert (closed.status, closed.close_code) == (status, code)


def test_a_closed_alert_refuses_every_step_but_a_retried_identical_close(world, alert):
    alert_close(actor=world.users["street0"], alert=alert, close_code="cancelled_by_elder")
    assert alert_close(actor=world.users["street0"], alert=alert, close_code="cancelled_by_elder").status == (
        "cancelled_by_elder"
    )
    for step in (
        lambda: alert_acknowledge(actor=world.users["street0"], alert=alert),
        lambda: alert_dispatch(actor=world.users["street0"], alert=alert, target="helper"),
        lambda: alert_on_scene(actor=world.users["street0"], alert=alert),
        lambda: alert_close(actor=world.users["street0"], alert=alert, close_code="duplicate"),
    ):
        with pytest.raises(AlertTransitionRefused):
            step()
    assert AlertEvent.objects.filter(kind="closed").count() == 1


def test_steps_need_the_right_and_the_reach(world, alert):
    with pytest.raises(Forbidden):
        alert_acknowledge(actor=world.users["street0_readonly"], alert=alert)
    with pytest.raises(AlertNotFound):
        alert_acknowledge(actor=world.users["street1"], alert=alert)
    with pytest.raises(Forbidden):
        alert_acknowledge(actor=world.users["family0"], alert=alert)  # family may view, not handle
    alert.refresh_from_db()
    assert alert.status == "open" and not AuditEvent.objects.filter(entity_type="alert").exists()
    # the helper assigned to elder0 may handle it
    assert alert_acknowledge(actor=world.users["helper0"], alert=alert).status == "acknowledged"
