"""Table tests of the pure rules (benefits.rules), one per case in tests/cases/*.yaml.

A case is data, as in OpenFisca's YAML tests: the facts, optionally a district's policy file, and the
expected result worked out by hand in the file (a comment shows the arithmetic). The runner only
turns the facts into the rules' inputs and compares; it computes no expected value itself.

Each case has a `name`, a `kind` and the keys of that kind (unknown keys are an error, so a typo
cannot silently drop a fact):

- `resident` (入住机构养老服务补贴, `rules.resident_compute`): `month` (YYYY-MM), `rows`, and `expect`
  with one `{amount, days}` per row. A row's `economic` (tekun|dibao|low_income|ordinary), `level`
  (GB/T 42195 0–4, null for none), `registered` (户籍 in the paying district) and `on_roll` (alive
  and not moved out) are either one value held on the 1st and all month, or a mapping
  `{effective day: value}` of dated changes (the earliest may lie before the month; before it the
  fact is unknown, i.e. not counted). `stays` are `[first day, day of discharge or null]` (the day
  of discharge does not count); `window` is the entitlement's `[starts_on, stop day or null]` in
  the same convention (default: open since 2020).
- `bed` (床位运营补贴, `rules.bed_operation_compute`): `month`, `organisations` (how many are paid),
  `stays` (`{organisation: index, from, until, level}`, `level` as above) and `expect` with one
  `{amount, nursing_days, other_days}` per organisation.
- `one_off` (`rules.one_off_plan`): `scheme`, `approved_on` (the day `on`; YAML 1.1 reads a key `on` as true), `facts`, and either
  `instalments` (`{sequence, due: YYYY-MM, amount}` each, plus `total`), `refused` (the fact a
  RuleRefusal names) or `policy_error` (the parameter a PolicyError names).
- `one_off_table`: `approved_on`, `rows` (`{scheme, facts, amount}`, one instalment each) and `total`: several
  awards whose sum a published figure states.

Any case may carry `district_policy: {effective_from, document}`: a district's policy file (the
OpenFisca format below `benefits`, as `policy.parse_district_document` reads it) merged over the
shipped parameters by `Policy.for_district`. A case may carry `xfail: reason` when the rules do not
yet do what the case states (strict: it fails once they do, so the mark is removed then).

Amounts are strings of yuan with two places ("186.85"), compared as Decimal with two places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from yiyang.benefits import rules
from yiyang.benefits.policy import Policy, PolicyError, parse_district_document

CASES_DIR = Path(__file__).parent / "cases"
OPEN_SINCE = date(2020, 1, 1)
KEYS = {
    "resident": {"month", "rows", "expect", "policy_error"},
    "bed": {"month", "organisations", "stays", "expect", "policy_error"},
    "one_off": {"scheme", "approved_on", "facts", "instalments", "total", "refused", "policy_error"},
    "one_off_table": {"approved_on", "rows", "total"},
}
COMMON_KEYS = {"name", "kind", "district_policy", "xfail"}
ROW_KEYS = {"economic", "level", "registered", "on_roll", "stays", "window"}


@dataclass(frozen=True)
class Case:
    file: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}: {self.data['name']}"


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for data in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(Case(path.stem, data))
    return cases


CASES = load_cases()


def params() -> list[Any]:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.data["xfail"])] if "xfail" in case.data else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


# --- reading the cases ---------------------------------------------------------------------------------


def money(raw: Any) -> Decimal:
    """An expected amount: a quoted string of yuan with two places (YAML would read 186.85 as a float)."""
    assert isinstance(raw, str), f"amount {raw!r} should be quoted, e.g. '186.85'"
    value = Decimal(raw)
    assert value == value.quantize(Decimal("0.01")) and value.as_tuple().exponent == -2, raw
    return value


def month_of(raw: Any) -> date:
    return date.fromisoformat(f"{raw}-01")


def day(raw: Any) -> date:
    assert isinstance(raw, date), f"{raw!r} should be a date YYYY-MM-DD"
    return raw


def policy_for(case: dict[str, Any]) -> Policy:
    spec = case.get("district_policy")
    if spec is None:
        return Policy.for_district()
    override = parse_district_document(
        yaml.safe_dump(spec["document"], allow_unicode=True), version=1, effective_from=day(spec["effective_from"])
    )
    return Policy.for_district([override])


def economic_code(value: Any) -> int:
    return rules.ECONOMIC_KEYS.index(value)


def level_code(value: Any) -> int:
    if value is None:
        return rules.UNKNOWN
    assert isinstance(value, int) and 0 <= value < rules.LEVELS, value
    return value


def flag_code(value: Any) -> int:
    assert isinstance(value, bool), value
    return int(value)


def fact(
    rows: list[dict[str, Any]], name: str, code: Any, *, default: Any, unknown: int
) -> tuple[np.ndarray, rules.Events]:
    """A fact's value on the 1st and its dated events, from each row's value or {day: value} mapping."""
    initial: list[int] = []
    events: list[tuple[int, date, int]] = []
    for index, row in enumerate(rows):
        raw = row.get(name, default)
        if isinstance(raw, dict):
            initial.append(unknown)
            events.extend((index, day(on), code(value)) for on, value in raw.items())
        else:
            initial.append(code(raw))
    return np.array(initial, dtype=np.int16), rules.Events.of(events)


def intervals(items: list[tuple[int, Any, Any]]) -> rules.Stays:
    return rules.Stays.of([(row, day(start), day(end) if end is not None else None) for row, start, end in items])


def strict_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"


# --- the runner ----------------------------------------------------------------------------------------


def refused_by_policy(case: dict[str, Any], compute: Any) -> bool:
    """For a case expecting `policy_error`: check that computing raises it, naming that parameter."""
    if "policy_error" not in case:
        return False
    assert "expect" not in case, "a case expects either amounts or a policy error"
    with pytest.raises(PolicyError) as error:
        compute()
    assert error.value.path == case["policy_error"]
    return True


def run_resident(case: dict[str, Any], policy: Policy) -> None:
    rows = case["rows"]
    for row in rows:
        strict_keys(row, ROW_KEYS, "row")
    month = month_of(case["month"])
    economic_initial, economic = fact(rows, "economic", economic_code, default="ordinary", unknown=rules.UNKNOWN)
    level_initial, level = fact(rows, "level", level_code, default=None, unknown=rules.UNKNOWN)
    registered_initial, registered = fact(rows, "registered", flag_code, default=True, unknown=0)
    on_roll_initial, on_roll = fact(rows, "on_roll", flag_code, default=True, unknown=0)
    stays = intervals([(i, start, end) for i, row in enumerate(rows) for start, end in row.get("stays", [])])
    window = intervals([(i, *row.get("window", [OPEN_SINCE, None])) for i, row in enumerate(rows)])
    batch = rules.ResidentBatch(
        month=month,
        n=len(rows),
        economic_initial=economic_initial,
        economic=economic,
        registered_initial=registered_initial,
        registered=registered,
        on_roll_initial=on_roll_initial,
        on_roll=on_roll,
        level_initial=level_initial,
        level=level,
        stays=stays,
        window=window,
    )
    if refused_by_policy(case, lambda: rules.resident_compute(batch, policy)):
        return
    result = rules.resident_compute(batch, policy)
    got = [{"amount": rules.yuan(a), "days": int(d)} for a, d in zip(result.amounts_fen, result.days, strict=True)]
    want = [{"amount": money(e["amount"]), "days": e["days"]} for e in case["expect"]]
    assert got == want


def run_bed(case: dict[str, Any], policy: Policy) -> None:
    stays = case["stays"]
    for stay in stays:
        strict_keys(stay, {"organisation", "from", "until", "level"}, "stay")
    level_initial, level = fact(stays, "level", level_code, default=None, unknown=rules.UNKNOWN)
    batch = rules.BedBatch(
        month=month_of(case["month"]),
        n=len(stays),
        n_organisations=case["organisations"],
        organisation=np.array([s["organisation"] for s in stays], dtype=np.int64),
        stays=intervals([(i, s["from"], s.get("until")) for i, s in enumerate(stays)]),
        level_initial=level_initial,
        level=level,
    )
    if refused_by_policy(case, lambda: rules.bed_operation_compute(batch, policy)):
        return
    result = rules.bed_operation_compute(batch, policy)
    got = [
        {"amount": rules.yuan(a), "nursing_days": int(n), "other_days": int(o)}
        for a, n, o in zip(result.amounts_fen, result.nursing_days, result.other_days, strict=True)
    ]
    want = [
        {"amount": money(e["amount"]), "nursing_days": e["nursing_days"], "other_days": e["other_days"]}
        for e in case["expect"]
    ]
    assert got == want


def run_one_off(case: dict[str, Any], policy: Policy) -> None:
    outcomes = [key for key in ("instalments", "refused", "policy_error") if key in case]
    assert len(outcomes) == 1, "a one-off case expects instalments, refused or policy_error"
    compute = lambda: rules.one_off_plan(case["scheme"], policy, day(case["approved_on"]), case["facts"])  # noqa: E731
    if "refused" in case:
        with pytest.raises(rules.RuleRefusal) as refusal:
            compute()
        assert refusal.value.field == case["refused"]
        return
    if "policy_error" in case:
        with pytest.raises(PolicyError) as error:
            compute()
        assert error.value.path == case["policy_error"]
        return
    plan = compute()
    got = [(p.sequence, p.due_month, rules.yuan(p.amount_fen)) for p in plan]
    want = [(i["sequence"], month_of(i["due"]), money(i["amount"])) for i in case["instalments"]]
    assert got == want
    assert sum((rules.yuan(p.amount_fen) for p in plan), Decimal("0.00")) == money(case["total"])


def run_one_off_table(case: dict[str, Any], policy: Policy) -> None:
    got, want = [], []
    for row in case["rows"]:
        strict_keys(row, {"scheme", "facts", "amount"}, "row")
        plan = rules.one_off_plan(row["scheme"], policy, day(case["approved_on"]), row["facts"])
        got.append([rules.yuan(p.amount_fen) for p in plan])
        want.append([money(row["amount"])])
    assert got == want
    assert sum((amount for amounts in got for amount in amounts), Decimal("0.00")) == money(case["total"])


RUNNERS = {"resident": run_resident, "bed": run_bed, "one_off": run_one_off, "one_off_table": run_one_off_table}


@pytest.mark.parametrize("case", params())
def test_rule_case(case: Case) -> None:
    data = case.data
    assert data.get("kind") in RUNNERS, f"unknown kind {data.get('kind')!r}"
    strict_keys(data, KEYS[data["kind"]] | COMMON_KEYS, case.id)
    RUNNERS[data["kind"]](data, policy_for(data))


# --- what the cases must cover (issue 10) ------------------------------------------------------------


def test_every_scheme_has_a_normal_and_a_refused_case() -> None:
    normal: set[str] = set()
    refused: set[str] = set()
    for case in CASES:
        data = case.data
        if data["kind"] in ("resident", "bed"):
            scheme = "resident_care_subsidy" if data["kind"] == "resident" else "bed_operation_subsidy"
            amounts = [money(e["amount"]) for e in data.get("expect", [])]
        elif data["kind"] == "one_off":
            scheme = data["scheme"]
            amounts = [Decimal(1)] if "instalments" in data else [Decimal(0)]
        else:
            continue
        if "policy_error" in data or any(a == 0 for a in amounts):
            refused.add(scheme)
        if any(a > 0 for a in amounts):
            normal.add(scheme)
    schemes = {*rules.ONE_OFF_PLANS, *rules.MONTHLY_SCHEMES}
    assert normal == schemes
    assert refused == schemes


@pytest.mark.parametrize(
    "needle",
    [
        "level change on the 15th",
        "discharge and readmission",
        "death mid-month",
        "moving out of the district",
        "policy value changing on the 1st",
        "policy value changing mid-month",
        "seed totals",
        "sum equals the total to the fen",
    ],
)
def test_the_situations_the_issue_names_have_cases(needle: str) -> None:
    assert any(needle in case.data["name"] for case in CASES), needle
