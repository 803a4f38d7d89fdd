"""Upgrading a deployed log: events written before the chain existed are chained in id order."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from yiyang.audit import triggers
from yiyang.audit.chain import verify_chain
from yiyang.audit.models import AuditEvent

BEFORE = ("audit", "0002_list_view_record_ids")
AFTER = ("audit", "0003_append_only_hash_chain")


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_existing_events_are_chained_and_the_triggers_installed():
    _migrate(BEFORE)
    try:
        assert not triggers.installed(connection)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_auditevent (at, actor_label, action, entity_type, entity_id, summary, fields,"
                " record_ids, ip_address, user_agent, path) VALUES"
                " ('2026-01-02 00:00:00.5', 'b', 'change', 'elder', '2', 's2', '[]', '[]', NULL, '', '/y'),"
                " ('2026-01-01 00:00:00', 'a', 'view', 'elder', '1', 's', '[\"phone\"]', '[]', '10.0.0.1', 'ua', '/x')"
            )
    finally:
        _migrate(AFTER)

    rows = list(AuditEvent.objects.order_by("id").values_list("sequence", "actor_label"))
    assert rows == [(1, "b"), (2, "a")]
    report = verify_chain()
    assert report.ok and report.checked == 2
    assert triggers.installed(connection)
