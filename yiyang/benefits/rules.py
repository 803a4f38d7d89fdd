"""The schemes' rules: pure functions of dated facts and dated parameters. No database here.

Monthly schemes run over a whole district at once on a *day grid*: one row per entitlement (or per
admission), one column per day of the month, each fact painted from the day it takes effect. A day
counts when every condition holds on it; a line's amount is

    round_half_up( Σ over counted days of (monthly standard in force that day) ÷ days in the month )

in integer fen, so there is no float anywhere and the result is exact; `yuan()` turns fen into
`Decimal` yuan with two places once, at the end. Stays count their first day and not the day of
discharge (the usual bed-day count).

One-off schemes are small per-application functions returning instalments with their explanation.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from yiyang.benefits.policy import DatedValue, Policy, PolicyError

ECONOMIC_KEYS = ("tekun", "dibao", "low_income", "ordinary")
LEVELS = 5  # GB/T 42195-2022 final levels 0–4
RESIDENT = "benefits.resident_care_subsidy.monthly"
BED = "benefits.bed_operation_subsidy"
UNKNOWN = -1


class RuleRefusal(ValueError):
    """The facts do not qualify for the scheme; `field` names the fact, `reason` says why (Chinese)."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


# --- money ------------------------------------------------------------------------------------------


def fen(amount: Decimal | int) -> int:
    """Yuan (two places at most) to integer fen."""
    value = Decimal(amount) * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more than two decimal places")
    return int(value)


def yuan(amount_fen: int | np.integer[Any]) -> Decimal:
    return (Decimal(int(amount_fen)) / 100).quantize(Decimal("0.01"))


def round_div(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """numerator / denominator rounded half away from zero, in integers (for arrears, negatives too)."""
    numerator = np.asarray(numerator, dtype=np.int64)
    magnitude = (2 * np.abs(numerator) + denominator) // (2 * denominator)
    return np.sign(numerator) * magnitude


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def days_in_year(day: date) -> int:
    return 366 if calendar.isleap(day.year) else 365


# --- day grids --------------------------------------------------------------------------------------


def day_index(days: np.ndarray, month: date) -> np.ndarray:
    """Dates as numpy datetime64[D] → day offsets from the 1st of `month` (may be <0 or ≥ days)."""
    return (days - np.datetime64(month, "D")).astype(np.int64)


def paint_intervals(n_rows: int, n_days: int, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A boolean grid, True on days in any [start, end) of the row; offsets are clipped to the month.

    Painted in passes: pass k draws every row's k-th interval, so that no pass names a row twice
    (one pass when every row has at most one interval, the usual case).
    """
    grid = np.zeros((n_rows, n_days), dtype=bool)
    if not len(rows):
        return grid
    starts = np.clip(starts, 0, n_days)
    ends = np.clip(ends, 0, n_days)
    keep = ends > starts
    rows, starts, ends = rows[keep], starts[keep], ends[keep]
    if not len(rows):
        return grid
    if np.all(rows[1:] > rows[:-1]):
        rank = np.zeros(len(rows), dtype=np.int64)
    else:
        order = np.argsort(rows, kind="stable")
        rows, starts, ends = rows[order], starts[order], ends[order]
        position = np.arange(len(rows))
        first = np.concatenate(([True], rows[1:] != rows[:-1]))
        rank = position - np.maximum.accumulate(np.where(first, position, 0))
    days = np.arange(n_days, dtype=np.int8)
    for k in range(int(rank.max()) + 1):
        picked = rank == k
        cover = (days >= starts[picked, None].astype(np.int8)) & (days < ends[picked, None].astype(np.int8))
        if k == 0:
            grid[rows[picked]] = cover
        else:
            grid[rows[picked]] |= cover
    return grid


def paint_facts(
    n_rows: int,
    n_days: int,
    initial: np.ndarray,
    rows: np.ndarray,
    days: np.ndarray,
    values: np.ndarray,
) -> np.ndarray:
    """An int grid of a fact: `initial` on day 0, then each event's value from its day on.

    Events must be sorted by (row, day, recording order); an event before the month sets day 0 (so the
    latest earlier event is what holds on the 1st); one after the month is ignored. Rows without an
    event in the month are `initial` all month; only the rows with one are filled forward.
    """
    grid_values = np.empty((n_rows, n_days), dtype=np.int16)
    grid_values[:] = np.asarray(initial, dtype=np.int16)[:, None]
    if not len(rows):
        return grid_values
    inside = days < n_days
    r, d, v = rows[inside], np.clip(days[inside], 0, None), values[inside]
    if not len(r):
        return grid_values
    touched, local = np.unique(r, return_inverse=True)
    sub = grid_values[touched]
    has = np.zeros(sub.shape, dtype=bool)
    has[:, 0] = True
    # Later events on the same (row, day) overwrite earlier ones: numpy assigns in order.
    sub[local, d] = v
    has[local, d] = True
    index = np.where(has, np.arange(n_days, dtype=np.int8), np.int8(0))
    np.maximum.accumulate(index, axis=1, out=index)
    grid_values[touched] = np.take_along_axis(sub, index.astype(np.intp), axis=1)
    return grid_values


@dataclass
class Events:
    """A fact's dated changes for a batch: parallel arrays, sorted by (row, day, order)."""

    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    days: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="datetime64[D]"))
    values: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))

    @classmethod
    def of(cls, items: Sequence[tuple[int, date, int]]) -> Events:
        ordered = sorted(enumerate(items), key=lambda p: (p[1][0], p[1][1], p[0]))
        return cls(
            rows=np.array([i[1][0] for i in ordered], dtype=np.int64),
            days=np.array([i[1][1] for i in ordered], dtype="datetime64[D]"),
            values=np.array([i[1][2] for i in ordered], dtype=np.int16),
        )


@dataclass
class Stays:
    """Intervals in care: row, first day, day of discharge (NaT when still in care)."""

    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    starts: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="datetime64[D]"))
    ends: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="datetime64[D]"))

    @classmethod
    def of(cls, items: Sequence[tuple[int, date, date | None]]) -> Stays:
        return cls(
            rows=np.array([i[0] for i in items], dtype=np.int64),
            starts=np.array([i[1] for i in items], dtype="datetime64[D]"),
            ends=np.array([i[2] if i[2] else np.datetime64("NaT") for i in items], dtype="datetime64[D]"),
        )

    def grid(self, n_rows: int, month: date) -> np.ndarray:
        n_days = days_in_month(month)
        starts = day_index(self.starts, month)
        ends = np.where(
            np.isnat(self.ends), n_days, day_index(np.where(np.isnat(self.ends), self.starts, self.ends), month)
        )
        return paint_intervals(n_rows, n_days, self.rows, starts, ends)


def fact_grid(n_rows: int, month: date, initial: np.ndarray, events: Events) -> np.ndarray:
    return paint_facts(n_rows, days_in_month(month), initial, events.rows, day_index(events.days, month), events.values)


# --- resident institutional-care subsidy -----------------------------------------------------------


@dataclass
class ResidentBatch:
    """Facts of a month for the resident subsidy, one row per entitlement.

    `economic`, `registered` (1 = 户籍 in the paying district), `on_roll` (1 = alive and not moved
    out) and `level` (GB/T 42195 level, -1 none) are given as the value on the 1st plus dated events;
    `stays` are the elder's stays in licensed institutions; `window` is the entitlement's own
    [starts_on, ends_on].
    """

    month: date
    n: int
    economic_initial: np.ndarray
    economic: Events
    registered_initial: np.ndarray
    registered: Events
    on_roll_initial: np.ndarray
    on_roll: Events
    level_initial: np.ndarray
    level: Events
    stays: Stays
    window: Stays


@dataclass
class ResidentResult:
    amounts_fen: np.ndarray  # per row
    days: np.ndarray  # counted days per row
    economic: np.ndarray  # grids, for explanations and stop reasons
    level: np.ndarray
    counted: np.ndarray
    in_care: np.ndarray
    registered: np.ndarray
    on_roll: np.ndarray
    roll: np.ndarray  # 1 on the roll, 0 deceased, 2 moved out
    matrix: dict[tuple[int, int], DatedValue]  # value in force on the 1st (see standards_by_day)
    standards: np.ndarray  # fen per (row, day), 0 where not counted


def resident_matrix(policy: Policy, on: date) -> tuple[np.ndarray, dict[tuple[int, int], DatedValue]]:
    """The 4 × 5 monthly standard in fen in force on `on`, and the dated values it came from."""
    matrix = np.zeros((len(ECONOMIC_KEYS), LEVELS), dtype=np.int64)
    used = {}
    for i, key in enumerate(ECONOMIC_KEYS):
        for level in range(LEVELS):
            value = policy.at(f"{RESIDENT}.{key}.level_{level}", on)
            matrix[i, level] = fen(value.value)
            used[(i, level)] = value
    return matrix, used


def matrix_change_days(policy: Policy, month: date) -> list[int]:
    """Days of `month` (offsets) on which some matrix value starts, besides the 1st."""
    n_days = days_in_month(month)
    end = month + timedelta(days=n_days)
    days = set()
    for key in ECONOMIC_KEYS:
        for level in range(LEVELS):
            for value in policy.parameters[f"{RESIDENT}.{key}.level_{level}"].values:
                if month < value.start < end:
                    days.add((value.start - month).days)
    return sorted(days)


def resident_compute(batch: ResidentBatch, policy: Policy) -> ResidentResult:
    """Amounts for every row at once. A day counts when the elder is in a licensed institution, on the
    roll, registered in the district, has a level and an economic status, and the entitlement is open."""
    n, month = batch.n, batch.month
    n_days = days_in_month(month)
    economic = fact_grid(n, month, batch.economic_initial, batch.economic)
    level = fact_grid(n, month, batch.level_initial, batch.level)
    registered = fact_grid(n, month, batch.registered_initial, batch.registered) == 1
    roll = fact_grid(n, month, batch.on_roll_initial, batch.on_roll)
    on_roll = roll == 1
    in_care = batch.stays.grid(n, month)
    window = batch.window.grid(n, month)
    counted = in_care & registered & on_roll & window & (level >= 0) & (economic >= 0)
    # The standard can change mid-month (a policy value keyed to the 15th): one matrix per period.
    # Each day's cell of the matrix as one key (status × LEVELS + level); days not counted get the key
    # one past the matrix, whose standard is 0, so one gather gives the day's standard or 0.
    cells = len(ECONOMIC_KEYS) * LEVELS
    keys = np.clip(economic, 0, len(ECONOMIC_KEYS) - 1) * np.int16(LEVELS) + np.clip(level, 0, LEVELS - 1)
    keys[~counted] = cells
    standards = np.empty((n, n_days), dtype=np.int64)
    bounds = [0, *matrix_change_days(policy, month), n_days]
    first_matrix: dict[tuple[int, int], DatedValue] = {}
    for lo, hi in itertools.pairwise(bounds):
        matrix, used = resident_matrix(policy, month + timedelta(days=lo))
        if lo == 0:
            first_matrix = used
        standards[:, lo:hi] = np.append(matrix.ravel(), 0)[keys[:, lo:hi]]
    amounts = round_div(standards.sum(axis=1), n_days)
    return ResidentResult(
        amounts_fen=amounts,
        days=counted.sum(axis=1),
        economic=economic,
        level=level,
        counted=counted,
        in_care=in_care,
        registered=registered,
        on_roll=on_roll,
        roll=roll,
        matrix=first_matrix,
        standards=standards,
    )


def segments(counted: np.ndarray, *keys: np.ndarray) -> list[tuple[int, int, tuple[int, ...]]]:
    """Runs of counted days with the same key values: (first day offset, last day offset, keys)."""
    n = len(counted)
    if not n:
        return []
    counted = np.asarray(counted, dtype=bool)
    change = np.ones(n, dtype=bool)
    change[1:] = counted[1:] != counted[:-1]
    for key in keys:
        change[1:] |= np.asarray(key)[1:] != np.asarray(key)[:-1]
    starts = np.flatnonzero(change)
    lasts = np.append(starts[1:] - 1, n - 1)
    values = [np.asarray(key)[starts].tolist() for key in keys]
    return [
        (first, last, tuple(v[j] for v in values))
        for j, (first, last) in enumerate(zip(starts.tolist(), lasts.tolist(), strict=True))
        if counted[first]
    ]


# --- bed operation subsidy --------------------------------------------------------------------------


@dataclass
class BedBatch:
    """Stays in the month at licensed institutions: one row per stay, `organisation` its row index in
    the institutions paid; `level_*` the resident's GB/T 42195 level (-1 none) on the 1st and events."""

    month: date
    n: int
    n_organisations: int
    organisation: np.ndarray
    stays: Stays
    level_initial: np.ndarray
    level: Events


@dataclass
class BedResult:
    amounts_fen: np.ndarray  # per organisation
    nursing_days: np.ndarray
    other_days: np.ndarray
    values: dict[str, DatedValue]


def bed_operation_compute(batch: BedBatch, policy: Policy) -> BedResult:
    """Occupied bed-days per institution, split by whether the resident's level that day makes the bed
    a nursing bed; amount = Σ over days of (nursing beds × nursing yearly amount + other beds × other
    yearly amount) ÷ days in the year, rounded once per institution. Each day uses the values in
    force that day (a value keyed to the 16th applies from the 16th); a day before any value exists
    pays nothing."""
    month = batch.month
    n_days = days_in_month(month)
    days = [month + timedelta(days=d) for d in range(n_days)]
    paths = {
        "nursing": f"{BED}.per_bed_year.nursing",
        "non_nursing": f"{BED}.per_bed_year.non_nursing",
        "nursing_from_level": f"{BED}.nursing_from_level",
    }
    by_day = {key: [policy.parameters[path].at(day) for day in days] for key, path in paths.items()}
    payable = [all(by_day[key][d] is not None for key in paths) for d in range(n_days)]
    if not any(payable):
        raise PolicyError(paths["nursing"], f"{month:%Y-%m} 时尚无取值")
    first = payable.index(True)
    values = {key: by_day[key][first] for key in paths}
    nursing_fen = np.array([fen(v.value) if v is not None else 0 for v in by_day["nursing"]], dtype=np.int64)
    other_fen = np.array([fen(v.value) if v is not None else 0 for v in by_day["non_nursing"]], dtype=np.int64)
    threshold = np.array(
        [int(v.value) if v is not None else LEVELS + 1 for v in by_day["nursing_from_level"]], dtype=np.int16
    )
    in_care = batch.stays.grid(batch.n, month) & np.array(payable)[None, :]
    level = fact_grid(batch.n, month, batch.level_initial, batch.level)
    nursing = in_care & (level >= threshold[None, :])
    other = in_care & ~nursing
    nursing_by_day = np.zeros((batch.n_organisations, n_days), dtype=np.int64)
    other_by_day = np.zeros((batch.n_organisations, n_days), dtype=np.int64)
    for d in range(n_days):
        nursing_by_day[:, d] = np.bincount(batch.organisation, weights=nursing[:, d], minlength=batch.n_organisations)
        other_by_day[:, d] = np.bincount(batch.organisation, weights=other[:, d], minlength=batch.n_organisations)
    numerator = nursing_by_day @ nursing_fen + other_by_day @ other_fen
    return BedResult(
        amounts_fen=round_div(numerator, days_in_year(month)),
        nursing_days=nursing_by_day.sum(axis=1),
        other_days=other_by_day.sum(axis=1),
        values=values,  # type: ignore[arg-type]
    )


# --- one-off schemes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedInstalment:
    sequence: int
    due_month: date
    amount_fen: int
    explanation: dict[str, Any]


def _used(policy: Policy, path: str, value: DatedValue) -> dict[str, Any]:
    return policy.describe(path, value)


def _int_fact(facts: dict[str, Any], name: str, *, minimum: int = 0) -> int:
    raw = facts.get(name)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
        raise RuleRefusal(name, f"应为不小于 {minimum} 的整数")
    return raw


def _choice_fact(facts: dict[str, Any], name: str, choices: Sequence[str]) -> str:
    raw = facts.get(name)
    if raw not in choices:
        raise RuleRefusal(name, "应为以下之一：" + "、".join(choices))
    return str(raw)


def _single(path_value: tuple[str, DatedValue], policy: Policy, due: date, note: str) -> list[PlannedInstalment]:
    path, value = path_value
    return [
        PlannedInstalment(
            1, month_start(due), fen(value.value), {"rule": note, "parameters": [_used(policy, path, value)]}
        )
    ]


def startup_plan(policy: Policy, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    """一次性开办补助: approved beds × the per-bed amount for the premises; at least the minimum beds,
    rented premises at least the minimum lease."""
    root = "benefits.startup_subsidy"
    premises = _choice_fact(facts, "premises", ("own_building", "rented"))
    beds = _int_fact(facts, "approved_beds", minimum=1)
    minimum = policy.at(f"{root}.minimum_beds", on)
    if beds < minimum.value:
        raise RuleRefusal("approved_beds", f"核定床位 {beds} 张，少于 {minimum.value} 张的下限")
    used = [_used(policy, f"{root}.minimum_beds", minimum)]
    if premises == "rented":
        lease = policy.at(f"{root}.minimum_lease_years", on)
        years = _int_fact(facts, "lease_years", minimum=0)
        if years < lease.value:
            raise RuleRefusal("lease_years", f"租期 {years} 年，短于 {lease.value} 年")
        used.append(_used(policy, f"{root}.minimum_lease_years", lease))
    per_bed = policy.at(f"{root}.per_bed.{premises}", on)
    used.append(_used(policy, f"{root}.per_bed.{premises}", per_bed))
    amount = beds * fen(per_bed.value)
    rule = f"{beds} 张 × {per_bed.value} 元/张"
    return [PlannedInstalment(1, month_start(on), amount, {"rule": rule, "parameters": used})]


def rating_reward_plan(policy: Policy, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    grade = _int_fact(facts, "rating_grade", minimum=1)
    if grade > 5:
        raise RuleRefusal("rating_grade", "等级应为 1 至 5")
    path = f"benefits.rating_reward.by_grade.grade_{grade}"
    return _single((path, policy.at(path, on)), policy, on, f"评定等级 {grade} 级")


def care_worker_entry_plan(policy: Policy, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    """入职奖补: a full-time graduate with at least the minimum years at the institution."""
    root = "benefits.care_worker_award"
    education = _choice_fact(facts, "education", ("secondary_vocational", "higher_education"))
    years = _int_fact(facts, "years_of_service")
    minimum = policy.at(f"{root}.minimum_years", on)
    if years < minimum.value:
        raise RuleRefusal("years_of_service", f"工作 {years} 年，不满 {minimum.value} 年")
    path = f"{root}.entry.{education}"
    value = policy.at(path, on)
    used = [_used(policy, f"{root}.minimum_years", minimum), _used(policy, path, value)]
    return [PlannedInstalment(1, month_start(on), fen(value.value), {"rule": f"工作满 {years} 年", "parameters": used})]


def care_worker_service_plan(policy: Policy, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    """在职奖补: 3–10 years one amount, 10 or more the higher amount (only if the lower was not paid)."""
    root = "benefits.care_worker_award"
    years = _int_fact(facts, "years_of_service")
    minimum = policy.at(f"{root}.minimum_years", on)
    long_service = policy.at(f"{root}.long_service_years", on)
    if years < minimum.value:
        raise RuleRefusal("years_of_service", f"工作 {years} 年，不满 {minimum.value} 年")
    used = [_used(policy, f"{root}.minimum_years", minimum), _used(policy, f"{root}.long_service_years", long_service)]
    if years >= long_service.value:
        if facts.get("lower_award_paid") is True:
            raise RuleRefusal("lower_award_paid", "已领取满 3 年档在职奖补，不能再领满 10 年档")
        path = f"{root}.service.from_10_years"
    else:
        path = f"{root}.service.from_3_years"
    value = policy.at(path, on)
    used.append(_used(policy, path, value))
    return [
        PlannedInstalment(1, month_start(on), fen(value.value), {"rule": f"累计工作 {years} 年", "parameters": used})
    ]


def _spread(total_fen: int, parts: int, first: date, rule: str, used: list[dict[str, Any]]) -> list[PlannedInstalment]:
    """Equal yearly instalments on each anniversary of `first`; the last takes the remainder fen."""
    each = total_fen // parts
    out = []
    for i in range(parts):
        amount = total_fen - each * (parts - 1) if i == parts - 1 else each
        due = month_start(
            first.replace(year=first.year + i + 1)
            if not (first.month == 2 and first.day == 29)
            else first + timedelta(days=365 * (i + 1))
        )
        out.append(
            PlannedInstalment(i + 1, due, amount, {"rule": f"{rule}，第 {i + 1}/{parts} 期", "parameters": used})
        )
    return out


def talent_entry_plan(policy: Policy, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    """Xiamen 入职奖励 by degree, paid in equal parts on each full year of service from `hired_on`."""
    root = "benefits.talent_award.entry"
    degree = _choice_fact(facts, "degree", ("bachelor", "college", "secondary"))
    hired = facts.get("hired_on")
    try:
        hired_on = date.fromisoformat(str(hired))
    except ValueError:
        raise RuleRefusal("hired_on", "应为入职日期 YYYY-MM-DD") from None
    value = policy.at(f"{root}.{degree}", hired_on)
    years = policy.at(f"{root}.instalment_years", hired_on)
    used = [_used(policy, f"{root}.{degree}", value), _used(policy, f"{root}.instalment_years", years)]
    return _spread(fen(value.value), int(years.value), hired_on, f"入职奖励 {value.value} 元分 {years.value} 年", used)


def talent_skill_plan(policy: Policy, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    root = "benefits.talent_award.skill"
    grade = _int_fact(facts, "skill_grade", minimum=1)
    if grade > 5:
        raise RuleRefusal("skill_grade", "等级应为 1 至 5")
    certified = facts.get("certified_on")
    try:
        certified_on = date.fromisoformat(str(certified))
    except ValueError:
        raise RuleRefusal("certified_on", "应为取证日期 YYYY-MM-DD") from None
    value = policy.at(f"{root}.grade_{grade}", certified_on)
    years = policy.at(f"{root}.instalment_years", certified_on)
    used = [_used(policy, f"{root}.grade_{grade}", value), _used(policy, f"{root}.instalment_years", years)]
    return _spread(
        fen(value.value), int(years.value), certified_on, f"技能等级奖励 {value.value} 元分 {years.value} 年", used
    )


def training_plan(policy: Policy, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    grade = _int_fact(facts, "certificate_grade", minimum=3)
    if grade > 5:
        raise RuleRefusal("certificate_grade", "证书等级应为 3 至 5")
    path = f"benefits.training_subsidy.per_certificate.grade_{grade}"
    return _single((path, policy.at(path, on)), policy, on, f"取得 {grade} 级证书")


ONE_OFF_PLANS = {
    "startup_subsidy": startup_plan,
    "rating_reward": rating_reward_plan,
    "care_worker_entry_award": care_worker_entry_plan,
    "care_worker_service_award": care_worker_service_plan,
    "talent_entry_award": talent_entry_plan,
    "talent_skill_award": talent_skill_plan,
    "training_subsidy": training_plan,
}
MONTHLY_SCHEMES = ("resident_care_subsidy", "bed_operation_subsidy")


def one_off_plan(scheme: str, policy: Policy, on: date, facts: dict[str, Any]) -> list[PlannedInstalment]:
    """The instalments of a one-off scheme for the approved facts. Raises RuleRefusal or PolicyError."""
    try:
        plan = ONE_OFF_PLANS[scheme]
    except KeyError:
        raise PolicyError("", f"{scheme} 不是一次性项目") from None
    return plan(policy, on, facts)
