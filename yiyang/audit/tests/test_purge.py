"""Retention: nothing younger than the minimum can be purged, and the chain stays verifiable."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from yiyang.audit.chain import append_events, verify_chain
from yiyang.audit.models import AuditAction, AuditChainHead, AuditEvent
from yiyang.audit.services import RETENTION_FLOOR_DAYS, audit_purge, earliest_purge_cutoff, retention_days
from yiyang.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=n), time(12)))


def seed(ages_in_days: list[int]) -> list[AuditEvent]:
    events = [
        AuditEvent(actor_label="seed", action=AuditAction.VIEW, entity_type="elder", entity_id=str(i), at=days_ago(a))
        for i, a in enumerate(ages_in_days)
    ]
    return append_events(events, keep_at=True)


def test_retention_cannot_go_below_six_months(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    assert retention_days() == RETENTION_FLOOR_DAYS == 183
    settings.AUDIT_RETENTION_DAYS = 400
    assert retention_days() == 400


def test_a_purge_younger_than_retention_is_refused(settings):
    settings.AUDIT_RETENTION_DAYS = 10
    seed([300, 200, 100])
    too_late = earliest_purge_cutoff() + timedelta(days=1)

    with pytest.raises(ValidationFailed) as exc:
        audit_purge(before=too_late)

    assert exc.value.errors[0].field == "before"
    assert exc.value.errors[0].code == "retention"
    assert AuditEvent.objects.count() == 3
    with pytest.raises(CommandError, match="至少保留183天"):
        call_command("audit", "purge", "--before", too_late.isoformat())


def test_purge_deletes_the_old_prefix_and_leaves_a_verifiable_chain():
    events = seed([400, 300, 250, 100, 10])
    before = timezone.localdate() - timedelta(days=200)

    result = audit_purge(before=before)

    assert result.deleted == 3 and result.last_sequence == 3
    remaining = list(AuditEvent.objects.order_by("sequence"))
    assert [e.pk for e in remaining[:2]] == [events[3].pk, events[4].pk]
    checkpoint = remaining[-1]
    assert (checkpoint.action, checkpoint.entity_type, checkpoint.entity_id) == ("purge", "audit_event", "3")
    assert checkpoint.checkpoint_hash == events[2].hash
    assert remaining[0].prev_hash == events[2].hash
    report = verify_chain()
    assert report.ok and report.checked == 3
    assert not AuditChainHead.objects.get().purging


def test_after_a_purge_the_database_still_refuses_deletes():
    seed([400, 10])
    audit_purge(before=timezone.localdate() - timedelta(days=200))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


def test_a_second_purge_chains_on_the_first():
    seed([500, 400, 300, 10])
    audit_purge(before=timezone.localdate() - timedelta(days=450))
    audit_purge(before=timezone.localdate() - timedelta(days=350))

    assert verify_chain().ok
    assert AuditEvent.objects.filter(action="purge").count() == 2


def test_nothing_old_enough_deletes_nothing_and_records_nothing():
    seed([10])
    result = audit_purge(before=timezone.localdate() - timedelta(days=200))
    assert result.deleted == 0 and AuditEvent.objects.count() == 1


def test_dropping_the_oldest_events_without_a_checkpoint_is_detected():
    from yiyang.audit import triggers

    events = seed([400, 300, 10])
    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 1")
    finally:
        triggers.install(connection)

    broken = verify_chain().first_broken

    assert broken is not None
    assert (broken.event_id, broken.problem) == (events[1].pk, "oldest event follows no purge checkpoint")


def test_purge_command(capsys):
    seed([400, 10])
    call_command("audit", "purge", "--before", (timezone.localdate() - timedelta(days=200)).isoformat())
    assert "已删除" in capsys.readouterr().out
    assert verify_chain().ok


def test_purge_stops_at_the_first_event_younger_than_the_cut():
    events = seed([400, 10, 300])
    result = audit_purge(before=timezone.localdate() - timedelta(days=200))
    assert result.deleted == 1
    assert AuditEvent.objects.filter(pk__in=[events[1].pk, events[2].pk]).count() == 2
    assert verify_chain().ok
