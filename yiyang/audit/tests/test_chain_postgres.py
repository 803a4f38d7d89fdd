"""On a real PostgreSQL: concurrent writers form one unbroken chain, the trigger refuses UPDATE and
DELETE but lets the retention purge through, and verify finds a row changed behind the trigger's back.

Runs against a scratch database in a subprocess (Django's test database here is SQLite).
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import json, threading
from datetime import timedelta
import django
django.setup()
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from yiyang.audit.chain import append_events, verify_chain
from yiyang.audit.models import AuditEvent
from yiyang.audit.services import audit_purge, audit_record

old = timezone.now() - timedelta(days=400)
append_events(
    [AuditEvent(actor_label="old", action="view", entity_type="elder", at=old + timedelta(minutes=i)) for i in range(5)],
    keep_at=True,
)
errors = []
start = threading.Barrier(8)

def work(t):
    try:
        start.wait()
        for i in range(25):
            with transaction.atomic():
                audit_record(actor=None, action="view", entity_type="elder", entity_id=f"{t}-{i}")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
rows = list(AuditEvent.objects.order_by("id").values_list("sequence", flat=True))
concurrent = verify_chain()
refused = {}
for statement in ("UPDATE audit_auditevent SET summary = 'x'", "DELETE FROM audit_auditevent"):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
        refused[statement.split()[0]] = False
    except DatabaseError:
        refused[statement.split()[0]] = True
purge = audit_purge(before=(timezone.localdate() - timedelta(days=300)))
after_purge = verify_chain()
with connection.cursor() as cursor:
    cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
    cursor.execute("UPDATE audit_auditevent SET summary = 'forged' WHERE sequence = 100 RETURNING id")
    tampered_id = cursor.fetchone()[0]
    cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
tampered = verify_chain(chunk_size=7)
print(json.dumps({
    "errors": errors,
    "sequences_in_id_order": rows,
    "concurrent_ok": concurrent.ok,
    "concurrent_checked": concurrent.checked,
    "refused": refused,
    "purged": purge.deleted,
    "after_purge_ok": after_purge.ok,
    "after_purge_checked": after_purge.checked,
    "tampered_id": tampered_id,
    "reported_id": tampered.first_broken.event_id if tampered.first_broken else None,
    "reported_problem": tampered.first_broken.problem if tampered.first_broken else None,
}))
"""


@pytest.fixture
def scratch_database(postgres_url: str):
    name = f"yiyang_audit_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run(args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.django.local"}
    return subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_concurrent_writers_one_chain_triggers_purge_and_tampering_on_postgresql(scratch_database):
    migrated = run(["manage.py", "migrate", "--no-input"], scratch_database)
    assert migrated.returncode == 0, migrated.stderr

    result = run(["-c", SCRIPT], scratch_database)

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["errors"] == []
    assert out["sequences_in_id_order"] == list(range(1, 206))
    assert (out["concurrent_ok"], out["concurrent_checked"]) == (True, 205)
    assert out["refused"] == {"UPDATE": True, "DELETE": True}
    assert out["purged"] == 5
    assert (out["after_purge_ok"], out["after_purge_checked"]) == (True, 201)
    assert out["reported_id"] == out["tampered_id"]
    assert out["reported_problem"] == "hash differs from the event's fields"

    verify = run(["manage.py", "audit", "verify"], scratch_database)
    assert verify.returncode == 1
    assert f"事件 id={out['tampered_id']}" in verify.stdout
