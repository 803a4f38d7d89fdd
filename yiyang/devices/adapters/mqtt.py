"""MQTT intake: subscribe at QoS 1, append to the reading log, acknowledge after commit.

One MQTT 5 session (`mqtt_wire.MqttSession`) subscribes to `yiyang/+/+/+/+` with a fixed client id
and a session that outlives the connection (`persistent=True`), so the broker keeps QoS 1 messages
for it while intake is down and redelivers them. A message's PUBACK is sent only after the batch
holding it is committed to the reading log (or, when malformed, to the dead-letter table); a crash
before that makes the broker redeliver, and the idempotency keys make a redelivery the same reading.

One thread does it all: wait for data, parse every message that arrived, append them in one
transaction, acknowledge them in one write, then (`after_batch`) step the engine runner. A lost
connection is retried with backoff; the resumed session brings back whatever was not acknowledged.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.db import OperationalError, close_old_connections
from django.utils import timezone

from yiyang.devices.adapters.mqtt_wire import MqttError, MqttSession, Publish
from yiyang.devices.adapters.parsing import Malformed, parse_mqtt, parse_topic
from yiyang.devices.choices import DeviceProtocol
from yiyang.devices.intake_log import IntakeLog, Message

log = logging.getLogger(__name__)

SUBSCRIPTION = "yiyang/+/+/+/+"
DEFAULT_CLIENT_ID = "yiyang-intake"
RECONNECT_MAX_S = 5.0


class MqttIntake:
    """`persistent=False` (tests, benchmarks) asks for a session that ends with the connection, so
    the broker keeps nothing for a client id that will not come back. `batch_size` bounds one
    transaction; whatever has arrived beyond it waits for the next."""

    def __init__(
        self,
        intake: IntakeLog,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str = DEFAULT_CLIENT_ID,
        batch_size: int = 5000,
        persistent: bool = True,
        username: str = "",
        password: str = "",
        keepalive: int = 30,
        after_batch: Callable[[], bool] | None = None,
        idle_wait: float = 0.1,
    ) -> None:
        self.intake = intake
        self.batch_size = batch_size
        # Called after every loop turn (a batch committed and acknowledged, or `idle_wait` passed):
        # `yiyang intake` steps the engine runner here, in the same thread, so the runner and
        # intake never wait for each other's database transactions. True: more work is pending,
        # do not wait for network data.
        self.after_batch = after_batch
        self.idle_wait = idle_wait
        self.session = MqttSession(
            host, port, client_id, persistent=persistent, username=username, password=password, keepalive=keepalive
        )
        self.stop_event = threading.Event()
        self.connected = threading.Event()
        self._backlog: list[Publish] = []
        self.thread = threading.Thread(target=self._loop, name="mqtt-intake", daemon=True)

    def start(self) -> None:
        """Start the loop; it connects, and keeps reconnecting while the broker is unreachable
        (`connected` is set while subscribed)."""
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)
        self.session.close()

    def _connect(self) -> None:
        self.connected.clear()
        self.session.connect()
        self.session.subscribe(SUBSCRIPTION, qos=1)
        self.connected.set()

    def _loop(self) -> None:
        delay = 0.1
        busy = False
        try:
            while not self.stop_event.is_set():
                try:
                    if self.session.sock is None:
                        self._connect()
                        delay = 0.1
                    self.poll_once(0.0 if busy or self._backlog else self.idle_wait)
                    busy = self._after()
                except (MqttError, OSError) as exc:
                    log.warning("mqtt: %s; reconnecting in %.1f s", exc, delay)
                    self.connected.clear()
                    self.session.close(graceful=False)
                    self._backlog = []  # unacknowledged: the resumed session redelivers them
                    # The work done after each batch (the runner's timers) goes on while offline.
                    until = time.monotonic() + delay
                    while not self.stop_event.is_set() and time.monotonic() < until:
                        if not self._after():
                            self.stop_event.wait(min(self.idle_wait, max(0.0, until - time.monotonic())))
                    delay = min(delay * 2, RECONNECT_MAX_S)
        finally:
            close_old_connections()

    def _after(self) -> bool:
        if self.after_batch is None:
            return False
        try:
            return self.after_batch()
        except Exception:  # the intake loop must outlive a failing step; it is retried next time
            log.exception("mqtt: the work after a batch failed")
            close_old_connections()
            self.stop_event.wait(self.idle_wait)
            return False

    def poll_once(self, timeout: float) -> int:
        """Take what has arrived (waiting up to `timeout`), commit it, acknowledge it. Returns how
        many messages were committed."""
        if not self._backlog:
            self._backlog = self.session.poll(timeout)
        batch, self._backlog = self._backlog[: self.batch_size], self._backlog[self.batch_size :]
        if not batch:
            return 0
        while True:
            try:
                self.flush(batch)
                break
            except OperationalError:  # busy database: keep the batch (unacknowledged), retry
                log.exception("mqtt: append failed, retrying")
                close_old_connections()
                if self.stop_event.wait(0.2):
                    return 0
        # Committed: now the broker may forget them.
        self.session.ack([item.packet_id for item in batch if item.qos])
        return len(batch)

    def flush(self, batch: list[Publish]) -> None:
        """Append the good messages in one transaction, then keep the malformed ones as dead letters
        (both idempotent enough to retry: readings are keyed, a retried dead letter is a duplicate
        of a message nobody could read anyway)."""
        now = timezone.now()
        messages: list[Message] = []
        malformed: list[tuple[Publish, str]] = []
        for item in batch:
            try:
                readings = parse_mqtt(item.topic, item.payload)
            except Malformed as exc:
                malformed.append((item, exc.reason))
                continue
            kind = parse_topic(item.topic).device_kind
            raw = item.payload.decode("utf-8", "replace")
            messages.append(Message(DeviceProtocol.MQTT_JSON, "mqtt", readings, raw, now, kind_hint=kind))
        if messages:
            self.intake.append_batch(messages)
        for item, reason in malformed:
            self.intake.dead_letter(adapter="mqtt", source=item.topic, payload=item.payload, reason=reason)
