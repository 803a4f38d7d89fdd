"""The audit log is append-only (ORM and database) and hash-chained; `yiyang audit verify` finds tampering."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from yiyang.audit import triggers
from yiyang.audit.chain import append_events, event_hash, verify_chain
from yiyang.audit.models import AppendOnlyViolation, AuditAction, AuditChainHead, AuditEvent
from yiyang.audit.services import audit_record
from yiyang.cli import main as yiyang_cli

pytestmark = pytest.mark.django_db


def record(n: int) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action=AuditAction.VIEW, entity_type="elder", entity_id=str(i), summary=f"第{i}条")
        for i in range(n)
    ]


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def tamper(sql: str, params: list | None = None) -> None:
    """Change the table behind the triggers' back, as someone with database access could."""
    triggers.remove(connection)
    try:
        raw(sql, params)
    finally:
        triggers.install(connection)


def test_events_form_one_chain_in_sequence_order():
    events = record(3)
    rows = list(AuditEvent.objects.order_by("sequence").values_list("id", "sequence", "prev_hash", "hash"))
    assert [r[0] for r in rows] == [e.pk for e in events]
    assert [r[1] for r in rows] == [1, 2, 3]
    assert rows[0][2] == ""
    assert rows[1][2] == rows[0][3] and rows[2][2] == rows[1][3]
    assert len({r[3] for r in rows}) == 3
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (3, rows[2][3])
    report = verify_chain()
    assert report.ok and report.checked == 3


def test_hash_covers_every_column_and_the_previous_hash():
    event = record(1)[0]
    stored = AuditEvent.objects.get(pk=event.pk)
    values = [
        stored.sequence,
        stored.at,
        stored.actor_id,
        stored.actor_label,
        stored.action,
        stored.entity_type,
        stored.entity_id,
        stored.summary,
        stored.fields,
        stored.record_ids,
        stored.district_id,
        stored.ip_address,
        stored.user_agent,
        stored.path,
        stored.method,
        stored.status_code,
        stored.checkpoint_hash,
    ]
    assert event_hash("", values) == stored.hash
    for i in range(len(values)):
        changed = list(values)
        changed[i] = stored.at + timedelta(microseconds=1) if i == 1 else f"{changed[i]}x"
        assert event_hash("", changed) != stored.hash, i
    assert event_hash("0" * 64, values) != stored.hash


def test_orm_has_no_update_or_delete_path():
    event = record(1)[0]
    event.summary = "改过"
    with pytest.raises(AppendOnlyViolation):
        event.save()
    with pytest.raises(AppendOnlyViolation):
        event.delete()
    with pytest.raises(AppendOnlyViolation):
        AuditEvent.objects.filter(pk=event.pk).update(summary="改过")
    with pytest.raises(AppendOnlyViolation):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyViolation):
        AuditEvent.objects.bulk_create([AuditEvent(actor_label="x", action="view", entity_type="elder")])
    with pytest.raises(AppendOnlyViolation):
        AuditEvent.objects.bulk_update([event], ["summary"])
    assert AuditEvent.objects.get().summary == "第0条"


def test_audit_events_are_not_in_the_admin():
    assert AuditEvent not in admin.site._registry
    assert AuditChainHead not in admin.site._registry


def test_database_refuses_update_and_delete():
    record(2)
    assert triggers.installed(connection)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditevent SET summary = 'x'")
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE sequence = 1")
    assert AuditEvent.objects.count() == 2
    assert set(AuditEvent.objects.values_list("summary", flat=True)) == {"第0条", "第1条"}


def test_objects_create_is_chained_too():
    record(1)
    AuditEvent.objects.create(actor_label="x", action="view", entity_type="elder", summary="直接创建")
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2]
    assert verify_chain().ok


def test_verify_reports_exactly_the_tampered_event():
    events = record(5)
    tamper("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["无人查看", events[2].pk])

    report = verify_chain(chunk_size=2)

    assert report.checked == 2
    broken = report.first_broken
    assert broken is not None
    assert (broken.event_id, broken.sequence, broken.problem) == (
        events[2].pk,
        3,
        "hash differs from the event's fields",
    )
    assert broken.found == events[2].hash


def test_verify_command_prints_the_break_and_exits_non_zero(capsys):
    events = record(4)
    tamper("UPDATE audit_auditevent SET actor_label = 'someone' WHERE id = %s", [events[1].pk])

    with pytest.raises(SystemExit) as exit_:
        yiyang_cli(["audit", "verify"])

    assert exit_.value.code == 1
    out = capsys.readouterr()
    assert f"事件 id={events[1].pk}" in out.out
    assert "已校验 1 条事件" in out.out
    assert f"id={events[1].pk}" in out.err


def test_verify_command_json_when_intact(capsys):
    record(3)
    call_command("audit", "verify", "--json", "--chunk-size", "2")
    result = json.loads(capsys.readouterr().out)
    assert result["checked"] == 3 and result["ok"] is True and result["first_broken"] is None


def test_a_removed_event_breaks_the_link_after_it():
    events = record(4)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])

    broken = verify_chain().first_broken

    assert broken is not None
    assert (broken.event_id, broken.problem) == (events[2].pk, "sequence gap")


def test_removing_the_newest_events_is_detected_by_the_head():
    record(3)
    tamper("DELETE FROM audit_auditevent WHERE sequence = 3")

    broken = verify_chain().first_broken

    assert broken is not None
    assert broken.problem == "chain ends before the head (newest events removed)"
    assert broken.sequence == 2


def test_a_recomputed_hash_still_breaks_the_next_link():
    events = record(3)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.summary = "伪造"
    values = [getattr(forged, f) for f in ("sequence", "at", "actor_id", "actor_label", "action", "entity_type")]
    values += [forged.entity_id, forged.summary, forged.fields, forged.record_ids, forged.district_id]
    values += [forged.ip_address, forged.user_agent, forged.path, forged.method, forged.status_code, ""]
    new_hash = event_hash(forged.prev_hash, values)
    tamper("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s", ["伪造", new_hash, forged.pk])

    broken = verify_chain().first_broken

    assert broken is not None
    assert (broken.event_id, broken.problem) == (events[2].pk, "prev_hash differs")


def test_bulk_append_keeps_given_times_and_chains():
    old = datetime(2020, 1, 1, tzinfo=UTC)
    events = [
        AuditEvent(actor_label="seed", action="import", entity_type="demo", at=old + timedelta(days=i))
        for i in range(3)
    ]
    append_events(events, keep_at=True)
    record(1)
    assert list(AuditEvent.objects.order_by("sequence").values_list("at", flat=True))[:3] == [
        old,
        old + timedelta(days=1),
        old + timedelta(days=2),
    ]
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_the_chain_starts_again():
    record(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert triggers.installed(connection)
    record(1)
    assert AuditEvent.objects.get().sequence == 1
    assert verify_chain().ok
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditevent")
