"""A device-fleet load generator for benchmarks: QoS 1 MQTT publishes from its own process.

Devices are other machines; publishing from the process under test would steal its core, and paho's
per-message cost would cap the measurement below what intake can take. This speaks just enough MQTT
3.1.1 (CONNECT, PUBLISH QoS 1, PUBACK in) over a raw socket with pre-encoded packets.

    python -m yiyang.devices.loadgen --elders 2000 --count 40000 [--rate 1600] [--start T] [--topic-prefix P]

Message i goes to device `bench-<i mod elders>` as `{"ts": …, "id": "m<i>", "values": {"hr": …}}`;
every `--sos-every`-th message is an SOS instead. With `--rate`, message i is sent at
`start + i / rate` (`start` in `time.perf_counter()` seconds, which on Linux is CLOCK_MONOTONIC,
shared by every process on the machine). Prints one JSON object: the count acknowledged by the
broker, the seconds taken and, with `--rate`, the send time of each message.
"""

import argparse
import json
import socket
import struct
import sys
import threading
import time

from yiyang.devices.adapters.mqtt_wire import encode_packet, encode_string


def connect(host: str, port: int, client_id: str) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body = encode_string("MQTT") + bytes([4, 0x02]) + struct.pack("!H", 60) + encode_string(client_id)
    sock.sendall(encode_packet(0x10, body))
    answer = sock.recv(4)
    if len(answer) < 4 or answer[0] != 0x20 or answer[3] != 0:
        raise ConnectionError(f"broker refused the connection: {answer!r}")
    sock.settimeout(None)
    return sock


def publish_packet(index: int, topic: str, payload: bytes) -> bytes:
    body = encode_string(topic) + struct.pack("!H", index % 65_535 + 1) + payload
    return encode_packet(0x32, body)


def device_message(index: int, elders: int, base_ms: int, sos_every: int, prefix: str) -> tuple[str, bytes]:
    ident = f"bench-{index % elders:06d}"
    if sos_every and index % sos_every == sos_every - 1:
        values: dict[str, object] = {"sos": True}
    else:
        values = {"hr": 60 + index % 30}
    payload = json.dumps({"ts": base_ms + index, "id": f"m{index}", "values": values}, separators=(",", ":"))
    return f"{prefix}/watch/{ident}/telemetry", payload.encode()


def run(args: argparse.Namespace) -> dict[str, object]:
    base_ms = int(time.time() * 1000)
    packets = [
        publish_packet(i, *device_message(i, args.elders, base_ms, args.sos_every, args.topic_prefix))
        for i in range(args.count)
    ]
    sock = connect(args.host, args.port, f"yiyang-loadgen-{time.time_ns()}")
    acked = [0]
    done = threading.Event()

    def read_acks() -> None:
        pending = b""
        while acked[0] < args.count:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            pending += chunk
            whole = len(pending) // 4  # PUBACK: 0x40 0x02 <id>
            acked[0] += whole
            pending = pending[whole * 4 :]
        done.set()

    threading.Thread(target=read_acks, daemon=True).start()
    sent_at: list[float] = []
    start = args.start if args.start else time.perf_counter()
    while time.perf_counter() < start:
        time.sleep(min(0.01, start - time.perf_counter()))
    began = time.perf_counter()
    if args.rate:
        for i, packet in enumerate(packets):
            due = start + i / args.rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            sent_at.append(time.perf_counter())
            sock.sendall(packet)
    else:
        for i in range(0, len(packets), 500):
            sock.sendall(b"".join(packets[i : i + 500]))
    done.wait(300)
    seconds = time.perf_counter() - began
    sock.close()
    result: dict[str, object] = {"acknowledged": acked[0], "seconds": seconds, "began": began}
    if args.rate:
        result["sent_at"] = sent_at
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--elders", type=int, default=2000)
    parser.add_argument("--count", type=int, default=40_000)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--start", type=float, default=0.0)
    parser.add_argument("--sos-every", type=int, default=0)
    parser.add_argument("--topic-prefix", default="yiyang/990000")
    json.dump(run(parser.parse_args(argv)), sys.stdout)


if __name__ == "__main__":
    main()
