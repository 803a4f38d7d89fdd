"""TCP server for "IW" watches (asyncio). One connection per watch: `IWAP00<IMEI>#` logs in, every
later frame belongs to that IMEI. Each frame is appended to the reading log and only then answered
(`IWBP..#`), so an unanswered alarm is retransmitted by the watch. Appends run in a worker thread
(the ORM is synchronous) and are batched across connections."""

import asyncio
import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from django.db import close_old_connections
from django.utils import timezone

from yiyang.devices.adapters.parsing import Malformed, parse_iw_frame
from yiyang.devices.choices import DeviceKind, DeviceProtocol
from yiyang.devices.intake_log import IntakeLog, Message

log = logging.getLogger(__name__)
MAX_FRAME = 4096


@dataclass
class _Batcher:
    """Collects messages from all connections and appends them together from one thread."""

    intake: IntakeLog
    pending: list[tuple[Message, Future[None]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    wake: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    def submit(self, message: Message) -> Future[None]:
        future: Future[None] = Future()
        with self.lock:
            self.pending.append((message, future))
        self.wake.set()
        return future

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.wake.wait(0.1)
                self.wake.clear()
                with self.lock:
                    batch, self.pending = self.pending, []
                if not batch:
                    continue
                try:
                    self.intake.append_batch([m for m, _ in batch])
                except Exception as exc:  # the watch gets no answer and retransmits
                    log.exception("IW append failed")
                    for _, future in batch:
                        future.set_exception(exc)
                    continue
                for _, future in batch:
                    future.set_result(None)
        finally:
            close_old_connections()


class IWServer:
    def __init__(self, intake: IntakeLog, *, host: str = "0.0.0.0", port: int = 5088) -> None:  # noqa: S104
        self.intake = intake
        self.host, self.port = host, port
        self.batcher = _Batcher(intake)
        self.server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self.batcher.run, name="iw-append", daemon=True)

    async def start(self) -> int:
        """Listen; returns the bound port (pass port=0 for an ephemeral one)."""
        self._thread.start()
        self.server = await asyncio.start_server(self._handle, self.host, self.port, limit=MAX_FRAME)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        self.batcher.stop.set()
        self.batcher.wake.set()
        await asyncio.to_thread(self._thread.join, 5)

    async def _dead_letter(self, peer: str, frame: str, reason: str) -> None:
        await asyncio.to_thread(self._dead_letter_sync, peer, frame, reason)

    def _dead_letter_sync(self, peer: str, frame: str, reason: str) -> None:
        try:
            self.intake.dead_letter(adapter="iw_tcp", source=peer, payload=frame, reason=reason)
        finally:
            close_old_connections()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = "{}:{}".format(*writer.get_extra_info("peername")[:2])
        imei = ""
        try:
            while True:
                try:
                    data = await reader.readuntil(b"#")
                except asyncio.IncompleteReadError:
                    break
                except asyncio.LimitOverrunError:
                    await self._dead_letter(peer, "", "frame: too long")
                    break
                frame = data.decode("ascii", "replace").strip()
                try:
                    parsed = parse_iw_frame(frame, imei=imei, now=timezone.now())
                except Malformed as exc:
                    await self._dead_letter(peer, frame, exc.reason)
                    continue
                imei = parsed.imei
                if parsed.readings:
                    message = Message(DeviceProtocol.IW_TCP, "iw_tcp", parsed.readings, frame, timezone.now(),
                                      kind_hint=DeviceKind.WATCH)  # fmt: skip
                    await asyncio.wrap_future(self.batcher.submit(message))
                if parsed.ack:
                    writer.write(parsed.ack.encode())
                    await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
