"""`Engine`: many elders' states, a deadline heap, and snapshot/restore. Pure and in-memory.

The runner (devices app) owns the clock and I/O: it calls `feed(reading, now)` for each reading,
`advance(now)` from its timer loop (or `advance_to(t)` on simulated time), writes the commands it
gets back, and persists `snapshot()` periodically so a restart can `restore()` state and timers.
A timer due while the process was down fires on the first `advance` after the restore.
"""

from __future__ import annotations

import heapq
import itertools
import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from yiyang.monitoring.engine.contract import Command, Reading, Tick
from yiyang.monitoring.engine.core import step
from yiyang.monitoring.engine.events import ControlEvent
from yiyang.monitoring.engine.rules import RuleSet, default_ruleset
from yiyang.monitoring.engine.state import LAYOUT, ElderState

SNAPSHOT_MAGIC = b"YYE1"
_TICK = Tick()


class Engine:
    """Holds `ElderState` per elder and a heap of their next deadlines (never late, possibly early)."""

    STATE_LAYOUT = LAYOUT  # what `finish_cut` bytes are encoded with (see `restore_states`)

    def __init__(self, rules: RuleSet | None = None, rules_for: Callable[[int], RuleSet | None] | None = None) -> None:
        self.default_rules = rules or default_ruleset()
        self._rules_for = rules_for
        self.rules_source = rules_for  # the runner asks it (if it can) whether rules changed
        self._rules: dict[int, RuleSet] = {}
        self.states: dict[int, ElderState] = {}
        self._heap: list[tuple[float, int]] = []
        self._scheduled: dict[int, float] = {}
        # Incremental snapshots (see begin_cut): elders changed since the last cut; the elders of
        # the cut in progress not yet captured; what has been captured of it.
        self._dirty: set[int] = set()
        self._cut: set[int] | None = None
        self._cut_members: set[int] = set()
        self._captured: dict[int, bytes] = {}

    # ------------------------------------------------------------------ rules and state
    def set_rules(self, elder_id: int, rules: RuleSet) -> None:
        """Give one elder a resolved RuleSet (district defaults + elder overrides)."""
        self._rules[elder_id] = rules

    def invalidate_rules(self, elder_ids: Iterable[int] | None = None) -> None:
        """Forget the cached RuleSets of `elder_ids` (None: of every elder), so each elder's next
        event asks `rules_for` again. Call it after the rules resolver reloaded changed overrides.
        States (baselines, open conditions, timers) are kept; rules given with `set_rules` are
        forgotten too."""
        if elder_ids is None:
            self._rules.clear()
            return
        for elder_id in elder_ids:
            self._rules.pop(elder_id, None)

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
        if self._cut is not None and elder_id in self._cut:
            self._capture(elder_id)
        self._dirty.add(elder_id)
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
        self._touch(event.elder_id)
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
                self._touch(elder_id)
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
        self._dirty = set()
        self._cut = None
        for item in payload["states"]:
            state = ElderState.from_json(item)
            self.states[state.elder_id] = state
            self._schedule(state.elder_id, state)

    # ------------------------------------------------------------------ incremental snapshot
    # A whole snapshot of a 14,000-elder district takes seconds of one core: the runner instead
    # checkpoints only the elders changed since the last cut, captured a slice at a time. The cut is
    # consistent as of `begin_cut` because an elder still to capture is captured just before its
    # next change (reading, control event or timer).
    def begin_cut(self) -> int:
        """Start a cut as of now; returns how many elders it will capture."""
        if self._cut is not None:
            raise RuntimeError("a cut is already in progress")
        self._cut, self._dirty = self._dirty, set()
        self._cut_members = set(self._cut)
        self._captured = {}
        return len(self._cut)

    def capture_some(self, limit: int) -> bool:
        """Capture up to `limit` elders of the cut in progress; True when none is left."""
        cut = self._cut
        if cut is None:
            raise RuntimeError("no cut in progress")
        for elder_id in list(itertools.islice(cut, limit)):
            self._capture(elder_id)
        return not cut

    def take_captured(self) -> dict[int, bytes]:
        """What has been captured of the cut in progress since the last call: elder id →
        `ElderState.encode()` bytes (empty bytes: the elder no longer has state)."""
        captured, self._captured = self._captured, {}
        return captured

    def finish_cut(self) -> dict[int, bytes]:
        """Capture what is left, end the cut, and return what `take_captured` has not."""
        self.capture_some(len(self._cut or ()))
        captured, self._cut, self._captured = self._captured, None, {}
        return captured

    def abort_cut(self) -> None:
        """Give up the cut in progress: every elder of it will be captured by the next one."""
        if self._cut is not None:
            self._dirty |= self._cut_members
        self._cut, self._captured, self._cut_members = None, {}, set()

    def redirty(self, elder_ids: Iterable[int]) -> None:
        """A finished cut could not be stored: capture these elders again next time."""
        self._dirty.update(elder_ids)

    def mark_all_dirty(self) -> None:
        self._dirty = set(self.states)

    def restore_states(self, rows: Iterable[tuple[int, bytes]], layout: Sequence[str]) -> None:
        """Replace all states with captured ones (`finish_cut` output, accumulated) and rebuild the
        deadline heap. `layout` is the `ElderState.LAYOUT` they were encoded with."""
        self.states = {}
        self._heap = []
        self._scheduled = {}
        self._dirty = set()
        self._cut = None
        for elder_id, blob in rows:
            if not blob:
                continue
            state = ElderState.decode(elder_id, blob, layout)
            self.states[elder_id] = state
            self._schedule(elder_id, state)

    def _touch(self, elder_id: int) -> None:
        if self._cut is not None and elder_id in self._cut:
            self._capture(elder_id)
        self._dirty.add(elder_id)

    def _capture(self, elder_id: int) -> None:
        assert self._cut is not None
        self._cut.discard(elder_id)
        state = self.states.get(elder_id)
        self._captured[elder_id] = state.encode() if state is not None else b""

    @classmethod
    def from_snapshot(
        cls, data: bytes, rules: RuleSet | None = None, rules_for: Callable[[int], RuleSet | None] | None = None
    ) -> Engine:
        engine = cls(rules, rules_for)
        engine.restore(data)
        return engine
