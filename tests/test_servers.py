"""The real servers the platform runs against, exercised without Django's test-database machinery.

* PostgreSQL: the migrations apply to a brand-new database and build the prefix-search indexes with
  the pattern operator class (SQLite ignores opclasses, so only a real PostgreSQL proves this).
* Mosquitto: a QoS 1 message makes the round trip through the broker (the path device monitoring uses).
"""

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

pytestmark = pytest.mark.server

PREFIX_INDEXES = ("elder_name_prefix",)
# National ID and phone are encrypted (ADR 0004): searched through keyed-hash columns, whose indexes
# carry the jurisdiction columns so the paginators' counts stay index-only.
TOKEN_INDEXES = tuple(
    f"elder_{t}"
    for t in ("national_id_p6", "national_id_p10", "national_id_p14", "phone_hash", "phone_p3", "phone_p7", "phone_s4")
)


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture
def scratch_database(postgres_url: str):
    """A fresh, empty PostgreSQL database, dropped afterwards; yields its URL."""
    name = f"yiyang_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(postgres_url, name)
    finally:
        with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_migrations_build_pattern_ops_prefix_indexes_on_postgresql(scratch_database: str, repo_root: Path):
    env = {
        **os.environ,
        "DATABASE_URL": scratch_database,
        "DJANGO_SETTINGS_MODULE": "config.django.local",
        "PYTHONUNBUFFERED": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"migrate failed:\n{result.stdout}\n{result.stderr}"

    with psycopg.connect(scratch_database, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(PREFIX_INDEXES + TOKEN_INDEXES + ("elder_national_id_hash_unique",))],
        ).fetchall()
    found = {indexname: (table, indexdef) for table, indexname, indexdef in rows}
    assert "elder_name_prefix" in found, f"no elder_name_prefix index; prefix indexes found: {found}"
    for name in PREFIX_INDEXES:
        assert name in found, f"missing index {name}; found {sorted(found)}"
        table, indexdef = found[name]
        assert table == "elders_elder", indexdef
        assert "varchar_pattern_ops" in indexdef, indexdef
    for name in TOKEN_INDEXES:
        assert name in found, f"missing index {name}; found {sorted(found)}"
        assert "INCLUDE (district_id, street_id, community_id)" in found[name][1], found[name][1]
    assert "UNIQUE" in found["elder_national_id_hash_unique"][1]
    assert "elder_id_prefix" not in found and "elder_phone_prefix" not in found


def test_mqtt_qos1_round_trip_through_the_broker(mqtt_broker):
    mqtt = pytest.importorskip("paho.mqtt.client", reason="paho-mqtt is not installed")
    from paho.mqtt.enums import CallbackAPIVersion

    topic = f"yiyang/test/{uuid.uuid4()}"
    payload = f"心率 72 {uuid.uuid4()}".encode()
    subscribed, received = threading.Event(), threading.Event()
    messages: list = []

    def on_connect(client, userdata, flags, reason_code, properties):
        assert not reason_code.is_failure, reason_code
        client.subscribe(topic, qos=1)

    def on_subscribe(client, userdata, mid, reason_codes, properties):
        if all(not code.is_failure for code in reason_codes):
            subscribed.set()

    def on_message(client, userdata, message):
        messages.append(message)
        received.set()

    subscriber = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"yiyang-test-sub-{uuid.uuid4().hex[:8]}")
    subscriber.on_connect, subscriber.on_subscribe, subscriber.on_message = on_connect, on_subscribe, on_message
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"yiyang-test-pub-{uuid.uuid4().hex[:8]}")
    subscriber.connect(mqtt_broker.host, mqtt_broker.port, keepalive=10)
    subscriber.loop_start()
    publisher.connect(mqtt_broker.host, mqtt_broker.port, keepalive=10)
    publisher.loop_start()
    try:
        assert subscribed.wait(5), "the broker did not acknowledge the subscription within 5 s"
        info = publisher.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout=5)
        assert info.is_published(), "the broker did not acknowledge the QoS 1 publish (PUBACK) within 5 s"
        assert received.wait(5), f"no message came back on {topic} within 5 s"
    finally:
        for client in (publisher, subscriber):
            client.disconnect()
            client.loop_stop()

    [message] = messages
    assert message.topic == topic
    assert message.payload == payload
    assert message.qos == 1
