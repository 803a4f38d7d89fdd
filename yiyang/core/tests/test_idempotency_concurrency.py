"""Concurrent twins of one Idempotency-Key: one request runs, the others wait and replay its answer."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from yiyang.core import idempotency
from yiyang.core.models import IdempotencyRecord
from yiyang.core.testing import national_id
from yiyang.elders.models import Elder

REPO = Path(__file__).resolve().parents[3]


def body(world, seq=501):
    return {"name": "并发", "national_id": national_id(seq), "community": str(world.communities[0][0].public_id)}


def client(world):
    c = APIClient()
    c.force_authenticate(world.users["street0"])
    return c


@pytest.fixture
def fixed_fingerprint(monkeypatch):
    monkeypatch.setattr(idempotency, "_fingerprint", lambda request: "fp")


@pytest.mark.django_db
def test_a_twin_waits_for_the_running_first_and_replays_its_answer(world, fixed_fingerprint, monkeypatch):
    user = world.users["street0"]
    claim = IdempotencyRecord.objects.create(user_id=user.pk, key="k", fingerprint="fp", status_code=0, body="")
    sleeps = []

    def first_finishes(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:  # the first request answers while the twin waits
            IdempotencyRecord.objects.filter(pk=claim.pk).update(status_code=201, body=json.dumps({"id": "first"}))

    monkeypatch.setattr(idempotency, "_sleep", first_finishes)
    response = client(world).post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (response.status_code, response.json(), response["Idempotent-Replayed"]) == (201, {"id": "first"}, "true")
    assert len(sleeps) == 3
    assert not Elder.objects.filter(national_id=national_id(501)).exists()


@pytest.mark.django_db
def test_a_twin_runs_itself_when_the_first_failed_and_let_go(world, fixed_fingerprint, monkeypatch):
    user = world.users["street0"]
    IdempotencyRecord.objects.create(user_id=user.pk, key="k", fingerprint="fp", status_code=0, body="")
    monkeypatch.setattr(idempotency, "_sleep", lambda s: IdempotencyRecord.objects.filter(key="k").delete())
    response = client(world).post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Elder.objects.filter(national_id=national_id(501)).count() == 1
    assert IdempotencyRecord.objects.get(key="k").status_code == 201


@pytest.mark.django_db
def test_a_twin_answers_409_with_retry_after_if_the_first_runs_too_long(world, fixed_fingerprint, settings):
    settings.YIYANG_IDEMPOTENCY_WAIT_SECONDS = 0.1
    user = world.users["street0"]
    IdempotencyRecord.objects.create(user_id=user.pk, key="k", fingerprint="fp", status_code=0, body="")
    response = client(world).post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 409 and response["Retry-After"] == "1"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("Idempotency-Key", "request_in_progress")]
    assert not Elder.objects.filter(national_id=national_id(501)).exists()


@pytest.mark.django_db
def test_a_failed_first_request_leaves_no_claim_behind(world):
    bad = client(world).post("/api/v1/elders/", {**body(world), "phone": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_claim_abandoned_by_a_dead_process_is_taken_over(world, fixed_fingerprint):
    from django.utils import timezone

    user = world.users["street0"]
    claim = IdempotencyRecord.objects.create(user_id=user.pk, key="k", fingerprint="fp", status_code=0, body="")
    IdempotencyRecord.objects.filter(pk=claim.pk).update(
        created_at=timezone.now() - idempotency.ABANDONED_AFTER - idempotency.timedelta(seconds=1)
    )
    response = client(world).post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201


SIX_TWINS = r"""
import json, threading
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()  # the test client's host, fast hashing
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0, interactive=False)
from rest_framework.test import APIClient
from yiyang.core.testing import build_world, national_id
from yiyang.elders.models import Elder
world = build_world()
payload = {"name": "并发", "national_id": national_id(601), "community": str(world.communities[0][0].public_id)}
barrier = threading.Barrier(6)
results = []
def post():
    from django.db import connection as own
    try:
        c = APIClient()
        c.force_authenticate(world.users["street0"])
        barrier.wait()
        r = c.post("/api/v1/elders/", payload, format="json", HTTP_IDEMPOTENCY_KEY="six")
        results.append((r.status_code, r.json().get("id"), r.headers.get("Idempotent-Replayed")))
    finally:
        own.close()
threads = [threading.Thread(target=post) for _ in range(6)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps({"results": results, "elders": Elder.objects.filter(national_id=national_id(601)).count(),
                  "vendor": connection.vendor}))
"""


def test_six_parallel_posts_with_one_key_give_one_201_and_five_replays_on_postgresql(postgres_url):
    import psycopg
    from psycopg import sql

    name = f"yiyang_idem_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        base = postgres_url.rsplit("/", 1)[0]
        env = {
            **os.environ,
            "DATABASE_URL": f"{base}/{name}",
            "DJANGO_SETTINGS_MODULE": "config.django.test",
            "PYTHONPATH": str(REPO),
        }
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", SIX_TWINS], cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        outcome = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    assert outcome["vendor"] == "postgresql"
    statuses = sorted((status, replayed or "") for status, _, replayed in outcome["results"])
    assert statuses == [(201, "")] + [(201, "true")] * 5, outcome
    assert len({elder_id for _, elder_id, _ in outcome["results"]}) == 1
    assert outcome["elders"] == 1
