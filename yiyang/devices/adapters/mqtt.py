"""MQTT subscriber (paho-mqtt 2.x), QoS 1, persistent session.

Subscribes to `yiyang/+/+/+/+` with a fixed client id and `clean_session=False`, so the broker keeps
QoS 1 messages for it while it is down and redelivers them. Manual acknowledgements: a message's
PUBACK is sent only after the batch holding it is committed to the reading log (or, when malformed,
to the dead-letter table). A crash before that makes the broker redeliver, and the idempotency keys
make the redelivery the same reading.
"""

import logging
import queue
import threading
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from django.db import OperationalError, close_old_connections
from django.utils import timezone

from yiyang.devices.adapters.parsing import Malformed, parse_mqtt, parse_topic
from yiyang.devices.choices import DeviceProtocol
from yiyang.devices.intake_log import IntakeLog, Message

log = logging.getLogger(__name__)

SUBSCRIPTION = "yiyang/+/+/+/+"
DEFAULT_CLIENT_ID = "yiyang-intake"


@dataclass(slots=True)
class _Inbound:
    client: mqtt.Client
    mid: int
    qos: int
    topic: str
    payload: bytes


class MqttIntake:
    """Receives on the network thread, appends and acknowledges on a flusher thread in batches of
    whatever has arrived (up to `batch_size`). `persistent=False` (tests, benchmarks) asks for a clean
    session so the broker keeps nothing for a client id that will not come back."""

    def __init__(
        self,
        intake: IntakeLog,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str = DEFAULT_CLIENT_ID,
        batch_size: int = 2000,
        persistent: bool = True,
        connections: int = 4,
    ) -> None:
        self.intake = intake
        self.host, self.port = host, port
        self.batch_size = batch_size
        self.inbox: queue.Queue[_Inbound] = queue.Queue()
        self.stop_event = threading.Event()
        self.connected = threading.Event()
        # Several connections on one shared subscription ($share/…): each has its own window of
        # unacknowledged deliveries, so the broker's per-client cap does not bound throughput.
        self.subscription = SUBSCRIPTION if connections == 1 else f"$share/{client_id}/{SUBSCRIPTION}"
        self.clients = [self._client(f"{client_id}-{n}", persistent) for n in range(connections)]
        self._connected = 0
        self.received = 0
        self.flusher = threading.Thread(target=self._flush_loop, name="mqtt-flush", daemon=True)

    def _client(self, client_id: str, persistent: bool) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=not persistent,
            manual_ack=True,
            protocol=mqtt.MQTTv311,
        )
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        return client

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object) -> None:
        client.subscribe(self.subscription, qos=1)
        self._connected += 1
        if self._connected >= len(self.clients):
            self.connected.set()

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        self.received += 1
        self.inbox.put(_Inbound(client, msg.mid, msg.qos, msg.topic, bytes(msg.payload)))

    def start(self) -> None:
        for client in self.clients:
            client.connect(self.host, self.port, keepalive=30)
            client.loop_start()
        self.flusher.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.flusher.join(timeout=5)
        for client in self.clients:
            client.loop_stop()
            client.disconnect()

    def _flush_loop(self) -> None:
        # Brokers cap unacknowledged QoS 1 deliveries per client (Mosquitto: max_inflight_messages,
        # 20 by default), so waiting to fill a batch would stall the stream: take what has arrived,
        # commit it, acknowledge it, repeat.
        try:
            while not self.stop_event.is_set():
                try:
                    batch = [self.inbox.get(timeout=0.1)]
                except queue.Empty:
                    continue
                while len(batch) < self.batch_size:
                    try:
                        batch.append(self.inbox.get_nowait())
                    except queue.Empty:
                        break
                while not self.stop_event.is_set():
                    try:
                        self.flush(batch)
                        break
                    except OperationalError:  # busy database: keep the batch (unacknowledged), retry
                        log.exception("mqtt: append failed, retrying")
                        close_old_connections()
                        self.stop_event.wait(0.2)
        finally:
            close_old_connections()

    def flush(self, batch: list[_Inbound]) -> None:
        now = timezone.now()
        messages: list[Message] = []
        for item in batch:
            try:
                readings = parse_mqtt(item.topic, item.payload)
            except Malformed as exc:
                self.intake.dead_letter(adapter="mqtt", source=item.topic, payload=item.payload, reason=exc.reason)
                continue
            kind = parse_topic(item.topic).device_kind
            raw = item.payload.decode("utf-8", "replace")
            messages.append(Message(DeviceProtocol.MQTT_JSON, "mqtt", readings, raw, now, kind_hint=kind))
        if messages:
            self.intake.append_batch(messages)
        for item in batch:  # committed: now the broker may forget them
            if item.qos:
                item.client.ack(item.mid, item.qos)
