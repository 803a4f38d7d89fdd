"""`Engine`: many elders' states, a deadline heap, and snapshot/restore. Pure and in-memory.

The runner (devices app) owns the clock and I/O: it calls `feed(reading, now)` for each reading,
`advance(now)` from its timer loop (or `advance_to(t)` on simulated time), writes the commands it
gets back, and persists `snapshot()` periodically so a restart can `restore()` state and timers.
A timer due while the process was down fires on the first `advance` after the restore.
"""

from __future__ import annotations

import heapq
import json
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

from yiyang.monitoring.engine.contract import Command, Reading, Tick
from yiyang.monitoring.engine.core import step
from yiyang.monitoring.engine.events import ControlEvent
from yiyang.monitoring.engine.rules import RuleSet, default_ruleset
from yiyang.monitoring.engine.state import ElderState

SNAPSHOT_MAGIC = b"YYE1"
_TICK = Tick()


class Engine:
    """Holds `ElderState` per elder and a heap of their next deadlines (never late, possibly early)."""

    def __init__(self, rules: RuleSet | None = None, rules_for: Callable[[int], RuleSet | None] | None = None) -> None:
        self.default_rules = rules or default_ruleset()
        self._rules_for = rules_for
        self._rules: dict[int, RuleSet] = {}
        self.states: dict[int, ElderState] = {}
        self._heap: list[tuple[float, int]] = []
        self._scheduled: dict[int, float] = {}

    # ------------------------------------------------------------------ rules and state
    def set_rules(self, elder_id: int, rules: RuleSet) -> None:
        """Give one elder a resolved RuleSet (district defaults + elder overrides)."""
        self._rules[elder_id] = rules

    def rules_for(self, elder_id: int) -> RuleSet:
        rules = self._rules.get(elder_id)
        if rules is None and self._rules_for is not None:
            rules = self._rules_for(elder_id)
            if rules is not None:
                self._rules[elder_id] = rules
        return rules or self.default_rules

    def state(self, elder_id: int) -> ElderState:
        state = self.states.get(elder_id)
        if state is None:
            state = ElderState(elder_id)
            self.states[elder_id] = state
        return state

    # ------------------------------------------------------------------ events
    def feed(self, reading: Reading, now: datetime) -> list[Command]:
        """Run one reading through its elder's step; reschedules the elder's timer."""
        elder_id = reading.elder_id
        state = self.states.get(elder_id)
        if state is None:
            state = self.state(elder_id)
        rules = self._rules.get(elder_id) or self.rules_for(elder_id)
        state, commands = step(state, reading, now, rules)
        deadline = state.deadline
        if deadline is not None:
            scheduled = self._scheduled.get(elder_id)
            if scheduled is None or deadline < scheduled:
                self._scheduled[elder_id] = deadline
                heapq.heappush(self._heap, (deadline, elder_id))
        return commands

    def control(self, event: ControlEvent, now: datetime) -> list[Command]:
        """Apply a control event (SetSuppression / ClearSuppression)."""
        state = self.state(event.elder_id)
        state, commands = step(state, event, now, self.rules_for(event.elder_id))
        self._schedule(event.elder_id, state)
        return commands

    def _schedule(self, elder_id: int, state: ElderState) -> None:
        deadline = state.deadline
        if deadline is None:
            return
        scheduled = self._scheduled.get(elder_id)
        if scheduled is None or deadline < scheduled:
            self._scheduled[elder_id] = deadline
            heapq.heappush(self._heap, (deadline, elder_id))

    # ------------------------------------------------------------------ timers
    def next_deadline(self) -> datetime | None:
        """The earliest scheduled deadline (it may be early: advancing to it can be a no-op)."""
        heap = self._heap
        while heap and self._scheduled.get(heap[0][1]) != heap[0][0]:
            heapq.heappop(heap)
        return datetime.fromtimestamp(heap[0][0], tz=UTC) if heap else None

    def advance(self, now: datetime) -> list[Command]:
        """Fire every timer due at or before `now`, with `now` as their time (real-time loop)."""
        # datetimes carry microseconds: allow for the rounding of a deadline handed out as a datetime
        limit = now.timestamp() + 1e-6
        commands: list[Command] = []
        heap = self._heap
        while heap and heap[0][0] <= limit:
            when, elder_id = heapq.heappop(heap)
            if self._scheduled.get(elder_id) != when:
                continue  # stale: a later entry replaced it
            del self._scheduled[elder_id]
            state = self.states.get(elder_id)
            if state is None:
                continue
            if state.deadline is not None and state.deadline <= limit:
                state, fired = step(state, _TICK, now, self.rules_for(elder_id))
                commands.extend(fired)
            self._schedule(elder_id, state)
        if len(heap) > 4 * len(self._scheduled) + 1024:
            self._compact()
        return commands

    def advance_to(self, target: datetime) -> list[Command]:
        """Simulated time: fire each due timer at its own deadline, in order, up to `target`."""
        limit = target.timestamp() + 1e-6
        commands: list[Command] = []
        while True:
            nxt = self.next_deadline()
            if nxt is None or nxt.timestamp() > limit:
                break
            commands.extend(self.advance(nxt))
        return commands

    def _compact(self) -> None:
        self._heap = [(when, elder_id) for elder_id, when in self._scheduled.items()]
        heapq.heapify(self._heap)

    # ------------------------------------------------------------------ snapshot
    def snapshot(self) -> bytes:
        """All elder states (baselines, open conditions, timers) as compressed JSON bytes."""
        payload = {"version": 1, "states": [state.to_json() for state in self.states.values()]}
        raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        return SNAPSHOT_MAGIC + zlib.compress(raw, 6)

    def restore(self, data: bytes) -> None:
        """Replace all states with a snapshot's and rebuild the deadline heap from them."""
        if not data.startswith(SNAPSHOT_MAGIC):
            raise ValueError("not an engine snapshot")
        payload = json.loads(zlib.decompress(data[len(SNAPSHOT_MAGIC) :]))
        if payload.get("version") != 1:
            raise ValueError(f"unsupported snapshot version {payload.get('version')!r}")
        self.states = {}
        self._heap = []
        self._scheduled = {}
        for item in payload["states"]:
            state = ElderState.from_json(item)
            self.states[state.elder_id] = state
            self._schedule(state.elder_id, state)

    @classmethod
    def from_snapshot(
        cls, data: bytes, rules: RuleSet | None = None, rules_for: Callable[[int], RuleSet | None] | None = None
    ) -> Engine:
        engine = cls(rules, rules_for)
        engine.restore(data)
        return engine
