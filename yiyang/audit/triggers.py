"""Database triggers that make the audit table append-only below the ORM.

UPDATE is always refused. DELETE is refused unless the chain head's `purging` flag is set, which only
the retention purge does, inside its own transaction (other transactions never see it set), or the
chain head row is absent (`flush`, which empties every table; see management/commands/flush.py).
PostgreSQL uses one statement-level trigger; SQLite, which has only row-level triggers, two.

`install` is idempotent. It runs from migration 0003 and again after every `migrate`, because SQLite
rebuilds a table (losing its triggers) for many schema changes.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
HEAD = "audit_auditchainhead"

POSTGRES_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM audit_auditchainhead WHERE id = 1 AND NOT purging) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'P0001';
    END $$
    """,
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    """
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]
SQLITE_INSTALL = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
    WHEN EXISTS (SELECT 1 FROM audit_auditchainhead WHERE id = 1 AND purging = 0)
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END
    """,
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]


def _statements(connection: BaseDatabaseWrapper, *, remove: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return POSTGRES_REMOVE if remove else POSTGRES_INSTALL
    if connection.vendor == "sqlite":
        return SQLITE_REMOVE if remove else SQLITE_INSTALL
    return []


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the append-only triggers (no-op on a vendor without them, or before the tables exist)."""
    # Both tables exist only from migration 0003 on (a `migrate audit 0002` also ends in post_migrate).
    if not {TABLE, HEAD}.issubset(connection.introspection.table_names()):
        return
    with connection.cursor() as cursor:
        for sql in _statements(connection, remove=False):
            cursor.execute(sql)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, remove=True):
            cursor.execute(sql)


def installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether the triggers are present (for tests and `yiyang audit verify`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_append_only'")
            return bool(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                "('audit_event_no_update', 'audit_event_no_delete')"
            )
            return cursor.fetchone()[0] == 2
    return False
