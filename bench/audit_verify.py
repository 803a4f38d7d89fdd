"""Audit-chain benchmark: seed N hash-chained audit events, then time `yiyang audit verify`.

    .venv/bin/python bench/audit_verify.py --events 1000000 --database-url sqlite:////tmp/yiyang_audit.sqlite3
    .venv/bin/python bench/audit_verify.py --events 1000000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/yiyang_audit_bench

Steps: (re)create the database named in the URL (it is dropped at the end unless --keep), migrate,
append N events in chunks through the chain's own bulk append (`yiyang.audit.chain.append_events`,
hashes computed in Python, one chain-head lock per chunk), optionally tamper with the event at
sequence --tamper-at behind the triggers' back, then run the same walk `yiyang audit verify` runs
(`verify_chain`: oldest first, in chunks of plain tuples) and time it.

Prints ONE JSON object: events, seconds (verify), events_per_s, peak_rss_mb (the process's peak,
seeding included), verify_rss_growth_mb (peak growth during verify: constant memory means ~0),
first_broken (null, or the event id/sequence/problem found), seed_seconds, database.
"""

import argparse
import base64
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry import drop_database, recreate_database  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(total: int, chunk: int) -> float:
    from django.db import transaction

    from yiyang.audit.chain import append_events
    from yiyang.audit.models import AuditAction, AuditEvent

    started = time.perf_counter()
    start_at = datetime(2026, 1, 1, tzinfo=UTC)
    actions = [AuditAction.VIEW, AuditAction.VIEW, AuditAction.VIEW, AuditAction.CHANGE, AuditAction.EXPORT]
    done = 0
    while done < total:
        n = min(chunk, total - done)
        events = [
            AuditEvent(
                at=start_at + timedelta(seconds=(done + i) * 3),
                actor_label=f"officer{(done + i) % 97}",
                action=actions[(done + i) % len(actions)],
                entity_type="elder",
                entity_id=f"{done + i:032x}",
                summary="查看老年人档案",
                fields=["national_id", "phone"],
                record_ids=[],
                ip_address=f"10.0.{(done + i) % 250}.{(done + i) % 200 + 1}",
                user_agent="Mozilla/5.0 bench",
                path=f"/api/v1/elders/{done + i:032x}/",
                method="GET",
            )
            for i in range(n)
        ]
        with transaction.atomic():
            append_events(events, keep_at=True, set_ids=False)
        done += n
    return time.perf_counter() - started


def tamper(sequence: int) -> None:
    from django.db import connection

    from yiyang.audit import triggers

    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET summary = %s WHERE sequence = %s", ["篡改", sequence])
    finally:
        triggers.install(connection)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="sqlite:////tmp/yiyang_audit_bench.sqlite3")
    parser.add_argument("--chunk-size", type=int, default=5000, help="events read per query while verifying")
    parser.add_argument("--seed-chunk", type=int, default=10_000, help="events appended per transaction")
    parser.add_argument("--tamper-at", type=int, default=0, help="change the event with this sequence first")
    parser.add_argument("--keep", action="store_true", help="leave the database in place afterwards")
    args = parser.parse_args(argv)

    recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.django.local"
    os.environ["DEBUG"] = "False"
    if not os.environ.get("YIYANG_MASTER_KEYS") and not os.environ.get("YIYANG_KEYRING_FILE"):
        # migrate creates the field data keys, wrapped by a key-encryption key: a fresh one for this
        # throwaway database (audit events themselves are not encrypted).
        os.environ["YIYANG_MASTER_KEYS"] = "bench:" + base64.b64encode(os.urandom(32)).decode()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from yiyang.audit.chain import verify_chain

    try:
        call_command("migrate", verbosity=0, interactive=False)
        seed_seconds = seed(args.events, args.seed_chunk)
        if args.tamper_at:
            tamper(args.tamper_at)
        before = peak_rss_mb()
        report = verify_chain(chunk_size=args.chunk_size)
        broken = report.first_broken
        result = {
            "events": args.events,
            "checked": report.checked,
            "seconds": round(report.seconds, 2),
            "events_per_s": round(report.checked / report.seconds) if report.seconds else None,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "verify_rss_growth_mb": round(peak_rss_mb() - before, 1),
            "first_broken": None if broken is None else broken.__dict__,
            "seed_seconds": round(seed_seconds, 1),
            "database": connection.vendor,
        }
    finally:
        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
