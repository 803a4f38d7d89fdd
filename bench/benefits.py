"""Benefits benchmark: the resident-subsidy rules against OpenFisca on 1,000,000 synthetic people.

    .venv/bin/python bench/benefits.py --people 1000000

Part 1 (no database): builds `--people` synthetic entitlements for one month from a seeded RNG
(economic status, GB/T 42195 level with a mid-month change for some, stays with admissions,
discharges and readmissions inside the month, entitlements starting or ending mid-month, deaths and
registration moves), then

- times `yiyang.benefits.rules.resident_compute` on them (`compute_seconds`: our computation step
  alone, from the dated facts to the amount in fen, day grids included);
- derives, independently of our day grid (interval arithmetic on the same facts), each person's
  counted days before and after their level change, and times the OpenFisca country package
  `bench/openfisca_yiyang` on the same people (`openfisca_seconds`: simulation built, inputs set,
  `resident_care_subsidy` calculated);
- checks that both give the same amount in fen for every person, and exits 1 on any mismatch.

Prints one JSON object and writes it to bench/results/benefits-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))

from yiyang.benefits import rules  # noqa: E402
from yiyang.benefits.policy import Policy  # noqa: E402

TARGET_RATIO = 3.0


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ------------------------------------------------------------------------------------- synthetic facts
@dataclass
class People:
    """Synthetic facts of one month, and the counted days of each level segment worked out apart."""

    batch: rules.ResidentBatch
    economic: np.ndarray  # status index, constant over the month
    level_first: np.ndarray  # level of the first segment (0–4; 0 when the person has none: 0 days)
    level_after: np.ndarray  # level from the change day on (= level_first without a change)
    days_first: np.ndarray
    days_after: np.ndarray
    counts: dict[str, int]
    raw: dict[str, np.ndarray]  # the generator's day offsets and kinds, for the database load


def _overlap(a_lo: np.ndarray, a_hi: np.ndarray, b_lo: np.ndarray, b_hi: np.ndarray) -> np.ndarray:
    return np.maximum(0, np.minimum(a_hi, b_hi) - np.maximum(a_lo, b_lo))


def synthesise(n: int, month: date, seed: int) -> People:
    """`n` entitlements for `month`. Day offsets are from the 1st; intervals are [first, end)."""
    rng = np.random.default_rng(seed)
    n_days = rules.days_in_month(month)
    first = np.datetime64(month, "D")
    rows = np.arange(n, dtype=np.int64)

    economic = rng.choice(4, size=n, p=[0.03, 0.07, 0.10, 0.80]).astype(np.int16)
    level = rng.choice(5, size=n, p=[0.15, 0.25, 0.25, 0.20, 0.15]).astype(np.int16)
    no_level = rng.random(n) < 0.01  # never assessed: no day counts
    level_initial = np.where(no_level, rules.UNKNOWN, level).astype(np.int16)
    # A level change on day c (1 … n_days-1) for 10 % of the assessed, to another level.
    changes = (rng.random(n) < 0.10) & ~no_level
    change_day = np.where(changes, rng.integers(1, n_days, size=n), n_days)
    new_level = ((level + rng.integers(1, 5, size=n)) % 5).astype(np.int16)
    level_after = np.where(changes, new_level, level).astype(np.int16)

    # Stays: 80 % in care all month; 7 % admitted mid-month; 7 % discharged (day 0 … n_days-1, the day
    # of discharge not counted); 3 % discharged and readmitted (on the same day or later); 3 % whose
    # stay ended before the month.
    kind = rng.choice(5, size=n, p=[0.80, 0.07, 0.07, 0.03, 0.03])
    long_ago = -rng.integers(1, 1500, size=n)
    stay_lo = np.where(kind == 1, rng.integers(1, n_days, size=n), long_ago)
    discharge = rng.integers(0, n_days, size=n)
    stay_hi = np.where((kind == 2) | (kind == 3), discharge, n_days)
    stay_hi = np.where(kind == 4, -rng.integers(1, 200, size=n), stay_hi)
    stay_lo = np.where(kind == 4, np.minimum(stay_lo, stay_hi - 30), stay_lo)
    readmitted = kind == 3
    readmit_lo = discharge + rng.integers(0, n_days, size=n) % np.maximum(1, n_days - discharge)
    # Open stays have no discharge date (NaT); the bench's `n_days` stands for "still in care".
    open_stay = stay_hi == n_days
    stays = rules.Stays(
        rows=np.concatenate([rows, rows[readmitted]]),
        starts=first + np.concatenate([stay_lo, readmit_lo[readmitted]]).astype("timedelta64[D]"),
        ends=np.concatenate(
            [
                np.where(open_stay, np.datetime64("NaT"), first + stay_hi.astype("timedelta64[D]")),
                np.full(int(readmitted.sum()), np.datetime64("NaT"), dtype="datetime64[D]"),
            ]
        ),
    )

    # Entitlement window: 95 % open since before the month; 3 % starting mid-month; 2 % ending.
    wkind = rng.choice(3, size=n, p=[0.95, 0.03, 0.02])
    window_lo = np.where(wkind == 1, rng.integers(1, n_days, size=n), -rng.integers(1, 700, size=n))
    window_hi = np.where(wkind == 2, rng.integers(1, n_days, size=n), n_days)
    window = rules.Stays(
        rows=rows,
        starts=first + window_lo.astype("timedelta64[D]"),
        ends=np.where(window_hi == n_days, np.datetime64("NaT"), first + window_hi.astype("timedelta64[D]")),
    )

    # Deaths (0.5 %) and registration moved out (0.3 %) mid-month; 0.2 % never registered here.
    died = rng.random(n) < 0.005
    death_day = np.where(died, rng.integers(1, n_days, size=n), n_days)
    moved = rng.random(n) < 0.003
    moved_day = np.where(moved, rng.integers(1, n_days, size=n), n_days)
    registered_initial = (rng.random(n) >= 0.002).astype(np.int16)

    def events(mask: np.ndarray, day: np.ndarray, value: np.ndarray) -> rules.Events:
        picked = rows[mask]  # ascending rows, one event each: sorted by (row, day)
        return rules.Events(
            rows=picked,
            days=first + day[mask].astype("timedelta64[D]"),
            values=np.asarray(value, dtype=np.int16)[mask] if np.ndim(value) else np.full(len(picked), value, np.int16),
        )

    batch = rules.ResidentBatch(
        month=month,
        n=n,
        economic_initial=economic,
        economic=rules.Events(),
        registered_initial=registered_initial,
        registered=events(moved, moved_day, 0),
        on_roll_initial=np.ones(n, dtype=np.int16),
        on_roll=events(died, death_day, 0),
        level_initial=level_initial,
        level=events(changes, change_day, level_after),
        stays=stays,
        window=window,
    )

    # The same facts as intervals: counted = (stay ∪ readmission) ∩ window ∩ alive ∩ registered.
    lo = np.maximum(window_lo, 0)
    hi = np.minimum.reduce([window_hi, death_day, moved_day, np.full(n, n_days)])
    hi = np.where((registered_initial == 1) & ~no_level, hi, lo)  # nothing counts
    zero = np.zeros(n, dtype=np.int64)
    cut = change_day
    stay_a = (np.clip(stay_lo, 0, n_days), np.clip(stay_hi, 0, n_days))
    stay_b = (np.where(readmitted, readmit_lo, n_days), np.full(n, n_days))
    days_first = zero.copy()
    days_after = zero.copy()
    for s_lo, s_hi in (stay_a, stay_b):
        a_lo, a_hi = np.maximum(s_lo, lo), np.minimum(s_hi, hi)
        days_first += _overlap(a_lo, a_hi, zero, cut)
        days_after += _overlap(a_lo, a_hi, cut, np.full(n, n_days))
    counts = {
        "level_changes": int(changes.sum()),
        "admitted_mid_month": int((kind == 1).sum()),
        "discharged_mid_month": int((kind == 2).sum()),
        "discharged_and_readmitted": int(readmitted.sum()),
        "deaths": int(died.sum()),
        "moved_out": int(moved.sum()),
        "window_starts_mid_month": int((wkind == 1).sum()),
        "window_ends_mid_month": int((wkind == 2).sum()),
        "stay_rows": len(stays.rows),
    }
    return People(
        batch=batch,
        economic=economic,
        level_first=np.where(no_level, 0, level).astype(np.int16),
        level_after=np.where(no_level, 0, level_after).astype(np.int16),
        days_first=days_first,
        days_after=days_after,
        counts=counts,
        raw={
            "level": level,
            "no_level": no_level,
            "changes": changes,
            "change_day": change_day,
            "level_after": level_after,
            "stay_lo": stay_lo,
            "stay_hi": stay_hi,
            "readmitted": readmitted,
            "readmit_lo": readmit_lo,
            "window_lo": window_lo,
            "window_hi": window_hi,
            "died": died,
            "death_day": death_day,
            "moved": moved,
            "moved_day": moved_day,
            "registered": registered_initial == 1,
        },
    )


# ------------------------------------------------------------------------------------- the two engines
def run_ours(people: People, policy: Policy) -> tuple[np.ndarray, np.ndarray, float]:
    started = time.perf_counter()
    result = rules.resident_compute(people.batch, policy)
    seconds = time.perf_counter() - started
    return result.amounts_fen, result.days, seconds


def run_openfisca(people: People, month: date) -> tuple[np.ndarray, float, float, str]:
    from importlib.metadata import version

    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_yiyang import YiyangTaxBenefitSystem

    started = time.perf_counter()
    system = YiyangTaxBenefitSystem()
    setup = time.perf_counter() - started
    period = f"{month.year:04d}-{month.month:02d}"
    started = time.perf_counter()
    simulation = SimulationBuilder().build_default_simulation(system, len(people.economic))
    simulation.set_input("economic_status", period, people.economic)
    simulation.set_input("ability_level", period, people.level_first)
    simulation.set_input("ability_level_after_change", period, people.level_after)
    simulation.set_input("days_counted", period, people.days_first)
    simulation.set_input("days_counted_after_change", period, people.days_after)
    amounts = simulation.calculate("resident_care_subsidy", period)
    seconds = time.perf_counter() - started
    return np.asarray(amounts, dtype=np.int64), seconds, setup, version("openfisca-core")


def compare(ours: np.ndarray, theirs: np.ndarray) -> dict[str, Any]:
    different = np.flatnonzero(ours != theirs)
    return {
        "mismatches": len(different),
        "first_mismatches": [
            {"row": int(i), "ours_fen": int(ours[i]), "openfisca_fen": int(theirs[i])} for i in different[:5]
        ],
    }


# ------------------------------------------------------------------------------------- part 2: the payroll on PostgreSQL
INSTITUTION_SIZE = 500  # residents per synthetic institution
TARGET_PAYROLL_SECONDS = 60.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def setup_django(url: str) -> None:
    """Environment as bench/registry.py sets it, then django.setup() and migrate."""
    import base64
    import os

    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.django.local"
    os.environ["DEBUG"] = "False"
    if not os.environ.get("YIYANG_MASTER_KEYS") and not os.environ.get("YIYANG_KEYRING_FILE"):
        os.environ["YIYANG_MASTER_KEYS"] = "bench:" + base64.b64encode(os.urandom(32)).decode()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Loader:
    """COPY of synthetic rows into one model's table: explicit primary keys, time-ordered public ids,
    every other concrete column not given taken from the field's default ('' for blank text)."""

    def __init__(self, model: Any, now: Any, **columns: Any) -> None:
        from django.db import connection
        from django.db.models import NOT_PROVIDED

        from yiyang.demo.bulk import TableWriter, db_datetime, next_id

        self.model = model
        self.first_id = next_id(model)
        stamp = db_datetime(now)
        given = {"created_at": stamp, "updated_at": stamp, **columns}
        names: list[str] = []
        self.constants: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name == "public_id":
                continue
            names.append(field.name)
            if field.name in given:
                self.constants[field.name] = given[field.name]
            elif field.default is not NOT_PROVIDED:
                value = field.get_default()
                self.constants[field.name] = json.dumps(value) if isinstance(value, dict | list) else value
            elif field.null:
                self.constants[field.name] = None
            elif field.blank:
                self.constants[field.name] = ""
            else:
                self.constants[field.name] = _MISSING
        self.names = names
        self.writer = TableWriter(model, ["id", "public_id", *names])
        self.prefix = f"{abs(hash(model._meta.db_table)) % 0xFFFFFFFF:08x}{int(now.timestamp()):08x}"
        self.connection = connection

    def write(self, n: int, per_row: dict[str, Any], chunk: int = 50_000) -> range:
        """Rows `first_id … first_id + n - 1`; `per_row` maps a field to a sequence of n values."""
        missing = [k for k, v in self.constants.items() if v is _MISSING and k not in per_row]
        if missing:
            raise SystemExit(f"{self.model.__name__}: no value for required {missing}")
        start = self.first_id + self.writer.rows_written
        columns = [per_row.get(name) for name in self.names]
        constant = [name not in per_row for name in self.names]
        values = [self.constants[name] for name in self.names]
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            parts = [
                [values[j]] * (hi - lo) if constant[j] else list(columns[j][lo:hi]) for j in range(len(self.names))
            ]
            ids = range(start + lo, start + hi)
            rows = list(zip(ids, (f"{self.prefix}{i:016x}" for i in ids), *parts, strict=True))
            self.writer.write(rows)
        return range(start, start + n)


_MISSING = object()


def _dates(first: np.datetime64, offsets: np.ndarray) -> list[Any]:
    return (first + offsets.astype("timedelta64[D]")).astype("datetime64[D]").tolist()


def seed_world(people: People, month: date, seed: int) -> dict[str, Any]:
    """One district with `n` elders, each in a licensed institution with a resident-subsidy
    entitlement, the facts of part 1 (levels and their changes, stays, deaths, registrations moved,
    entitlement windows), and a bed-operation entitlement per institution. Returns what the payroll
    step needs and the counts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from yiyang.accounts.models import User
    from yiyang.areas.models import Area
    from yiyang.assessments.models import Assessment
    from yiyang.benefits.models import Application, Entitlement
    from yiyang.core.bulk_crypto import FieldSealer
    from yiyang.demo.bulk import deferred_indexes, reset_sequences, tune_session_for_bulk_load
    from yiyang.demo.seeding import DistrictSeeder
    from yiyang.elders.models import Elder, ElderFactChange
    from yiyang.organisations.models import Admission, Bed, Organisation

    raw, n = people.raw, len(people.economic)
    report = DistrictSeeder(elders=200, seed=seed, log=lambda m: None).run()  # areas, staff, demo network
    started = time.perf_counter()
    district = Area.objects.get(level="district")
    communities = list(Area.objects.filter(level="community").order_by("pk").values_list("pk", "street_id"))
    users = {
        u.username: u for u in User.objects.filter(username__in=["bureau", "street_huli", "assessor_huli", "reviewer"])
    }
    now = timezone.now()
    first = np.datetime64(month, "D")
    rng = np.random.default_rng(seed + 1)
    sealer = FieldSealer()
    seal, tokens = sealer.seal, sealer.tokens
    counts: dict[str, int] = {}
    with transaction.atomic():
        tune_session_for_bulk_load()
        touched = [Organisation, Bed, Elder, ElderFactChange, Admission, Assessment, Application, Entitlement]
        with deferred_indexes(indexes_of=touched, foreign_keys_of=touched, enabled=True):
            # Institutions: INSTITUTION_SIZE residents each, spread over the communities, all licensed.
            n_org = -(-n // INSTITUTION_SIZE)
            org_community = [communities[i % len(communities)] for i in range(n_org)]
            orgs = Loader(Organisation, now, kind="institution", district=district.pk, status="open").write(
                n_org,
                {
                    "name": [f"测试养老院{i + 1:05d}" for i in range(n_org)],
                    "area": [c for c, _s in org_community],
                    "street": [s for _c, s in org_community],
                    "licence_number": [f"闽民养{i + 1:06d}" for i in range(n_org)],
                },
            )
            org_of_row = np.arange(n) // INSTITUTION_SIZE + orgs.start
            beds = Loader(Bed, now, state="occupied").write(
                n,
                {
                    "organisation": org_of_row.tolist(),
                    "room": [str(i % INSTITUTION_SIZE // 4 + 1) for i in range(n)],
                    "number": [str(i % INSTITUTION_SIZE + 1) for i in range(n)],
                },
            )
            # Elders: status and registration are today's (after the month's events), as in the registry.
            community = [communities[i % len(communities)] for i in range(n)]
            economic = np.array(rules.ECONOMIC_KEYS)[people.economic]
            nids = _unique_ids(n)
            nid_tokens = [tokens("elders.national_id", x, _ID_TOKENS) for x in nids]
            registered = np.where(raw["registered"] & ~raw["moved"], "registered", "resident")
            status = np.where(raw["died"], "deceased", "active")
            birth = _dates(np.datetime64("1930-01-01"), rng.integers(0, 30 * 365, n))
            elders = Loader(Elder, now, district=district.pk, living_arrangement="in_institution").write(
                n,
                {
                    "name": [f"测试{i}" for i in range(n)],
                    "national_id": [seal(x, b"elders_elder.national_id") for x in nids],
                    "birth_date": birth,
                    "sex": np.where(rng.random(n) < 0.55, "F", "M").tolist(),
                    "household_registration": registered.tolist(),
                    "status": status.tolist(),
                    "economic_status": economic.tolist(),
                    "community": [c for c, _s in community],
                    "street": [s for _c, s in community],
                    "national_id_hash": [t[0] for t in nid_tokens],
                    "national_id_p6": [t[1] for t in nid_tokens],
                    "national_id_p10": [t[2] for t in nid_tokens],
                    "national_id_p14": [t[3] for t in nid_tokens],
                },
            )
            del nids, nid_tokens
            elder_of_row = np.arange(n) + elders.start
            # Dated changes in the month: deaths and registrations moved out of the district.
            # (A move of someone never registered here changes nothing: no row for it.)
            fact_rows = np.concatenate([np.flatnonzero(raw["died"]), np.flatnonzero(raw["moved"] & raw["registered"])])
            is_death = np.arange(len(fact_rows)) < int(raw["died"].sum())
            day = np.where(is_death, raw["death_day"][fact_rows], raw["moved_day"][fact_rows])
            Loader(ElderFactChange, now, recorded_at=now, recorded_by=users["street_huli"].pk).write(
                len(fact_rows),
                {
                    "elder": elder_of_row[fact_rows].tolist(),
                    "field": np.where(is_death, "status", "household_registration").tolist(),
                    "old_value": np.where(is_death, "active", "registered").tolist(),
                    "new_value": np.where(is_death, "deceased", "resident").tolist(),
                    "effective_on": _dates(first, day),
                },
            )
            counts["fact_changes"] = len(fact_rows)
            # Stays: the first (possibly discharged in the month, or before it), then the readmissions.
            open_stay = raw["stay_hi"] >= rules.days_in_month(month)
            discharged = [
                None if o else d for o, d in zip(open_stay.tolist(), _dates(first, raw["stay_hi"]), strict=True)
            ]
            again = np.flatnonzero(raw["readmitted"])
            stay_elders = np.concatenate([elder_of_row, elder_of_row[again]])
            stay_orgs = np.concatenate([org_of_row, org_of_row[again]])
            stay_beds = np.concatenate([np.arange(n), again]) + beds.start
            Loader(Admission, now).write(
                n + len(again),
                {
                    "elder": stay_elders.tolist(),
                    "organisation": stay_orgs.tolist(),
                    "bed": stay_beds.tolist(),
                    "admitted_on": _dates(first, np.concatenate([raw["stay_lo"], raw["readmit_lo"][again]])),
                    "discharged_on": [*discharged, *([None] * len(again))],
                    "discharge_reason": [*("" if d is None else "home" for d in discharged), *([""] * len(again))],
                },
            )
            counts["admissions"] = n + len(again)
            # Ability levels: a confirmed GB/T 42195 record before the month, and one on the change day.
            assessed = np.flatnonzero(~raw["no_level"])
            changed = np.flatnonzero(raw["changes"])
            a_rows = np.concatenate([assessed, changed])
            a_level = np.concatenate([raw["level"][assessed], raw["level_after"][changed]])
            a_day = np.concatenate([-rng.integers(1, 365, len(assessed)), raw["change_day"][changed]])
            a_dates = _dates(first, a_day)
            a_times = [timezone.make_aware(datetime.combine(d, datetime.min.time()).replace(hour=10)) for d in a_dates]
            Loader(
                Assessment,
                now,
                scale="gbt42195-2022",
                family="ability",
                status="confirmed",
                assessor=users["assessor_huli"].pk,
                reviewer=users["reviewer"].pk,
            ).write(
                len(a_rows),
                {
                    "elder": elder_of_row[a_rows].tolist(),
                    "reason": ["first"] * len(assessed) + ["immediate"] * len(changed),
                    "assessed_on": a_dates,
                    "level": a_level.tolist(),
                    "result": [f'{{"level": {lv}}}' for lv in a_level.tolist()],
                    "submitted_at": a_times,
                    "confirmed_at": a_times,
                },
            )
            counts["assessments"] = len(a_rows)
            # Applications and entitlements: one resident subsidy per elder, one bed subsidy per institution.
            starts = _dates(first, raw["window_lo"])
            ends_open = raw["window_hi"] >= rules.days_in_month(month)
            ends = [
                None if o else d for o, d in zip(ends_open.tolist(), _dates(first, raw["window_hi"] - 1), strict=True)
            ]
            streets = [s for _c, s in community] + [s for _c, s in org_community]
            n_ent = n + n_org
            subject = ["elder"] * n + ["organisation"] * n_org
            scheme = ["resident_care_subsidy"] * n + ["bed_operation_subsidy"] * n_org
            accounts = [f"6222{i:015d}" for i in range(n_ent)]
            org_starts = _dates(first, -rng.integers(30, 1000, n_org))
            common = {
                "scheme": scheme,
                "subject_kind": subject,
                "street": streets,
                "elder": [*elder_of_row.tolist(), *([None] * n_org)],
                "organisation": [*([None] * n), *orgs],
            }
            applications = Loader(
                Application,
                now,
                district=district.pk,
                channel="street",
                applicant=users["street_huli"].pk,
                payee_bank="工商银行",
                status="approved",
                submitted_at=now,
                decided_by=users["bureau"].pk,
                decided_at=now,
            ).write(
                n_ent,
                {
                    **common,
                    "requested_from": [*starts, *org_starts],
                    "payee_name": [f"收款人{i}" for i in range(n_ent)],
                    "payee_account": [seal(a, b"benefits_application.payee_account") for a in accounts],
                },
            )
            Loader(Entitlement, now, district=district.pk, payee_bank="工商银行", status="active").write(
                n_ent,
                {
                    **common,
                    "application": list(applications),
                    "payee_name": [f"收款人{i}" for i in range(n_ent)],
                    "payee_account": [seal(a, b"benefits_entitlement.payee_account") for a in accounts],
                    "starts_on": [*starts, *org_starts],
                    "ends_on": [*ends, *([None] * n_org)],
                },
            )
            counts.update(elders=n, institutions=n_org, beds=n, entitlements=n_ent)
            log(f"rows written in {time.perf_counter() - started:.1f} s; rebuilding indexes and keys …")
        reset_sequences(touched)
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    first_entitlement = Entitlement.objects.order_by("pk").values_list("pk", flat=True).first()
    resident_first = (
        Entitlement.objects.filter(scheme="resident_care_subsidy").order_by("pk").values_list("pk", flat=True).first()
    )
    return {
        "district": district,
        "actor": users["bureau"],
        "first_entitlement": resident_first if resident_first is not None else first_entitlement,
        "n_org": n_org,
        "counts": counts,
        "demo_seed_seconds": round(report.seconds, 1),
        "load_seconds": round(load_seconds, 1),
        "vacuum_seconds": round(time.perf_counter() - started - load_seconds, 1),
    }


_ID_TOKENS = ((None, False), (6, False), (10, False), (14, False))  # as Elder.national_id_hash/_p6/_p10/_p14


def _unique_ids(n: int) -> list[str]:
    """Distinct 18-character national-ID-shaped strings (the payroll never reads them)."""
    return [f"3505{8 + i // 10**12 % 2}{i:012d}X" for i in range(n)]


class Phases:
    """Wall-clock seconds spent inside named functions during the payroll (wrappers, no profiler)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str | None = None) -> None:
        original = getattr(owner, name)
        key = label or name
        seconds, calls = self.seconds, self.calls

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - started
                calls[key] = calls.get(key, 0) + 1

        setattr(owner, name, timed)
        self.undo.append((owner, name, original))

    def restore(self) -> None:
        for owner, name, original in reversed(self.undo):
            setattr(owner, name, original)


def time_payroll(world: dict[str, Any], month: date, profile: bool) -> dict[str, Any]:
    """payroll_compute for the month (facts loaded, computed, written, committed), with the time spent
    in its main steps."""
    import cProfile
    import io
    import pstats

    from django.db import connection

    from yiyang.benefits import facts
    from yiyang.benefits.models import PayrollLine
    from yiyang.benefits.services import payroll

    phases = Phases()
    # Labels indented by two spaces are steps inside the step above them (not added to the total).
    for owner, name, label in [
        (payroll, "_resident_lines", "resident subsidy (_resident_lines)"),
        (payroll, "_resident_entitlements", "  entitlements read (_resident_entitlements)"),
        (payroll, "resident_batch", "  facts read (facts.resident_batch)"),
        (facts, "_level_events", "    levels to events, resident and bed (facts._level_events)"),
        (rules, "resident_compute", "  rules.resident_compute"),
        (payroll, "_resident_explanation", "  explanations built (_resident_explanation)"),
        (payroll, "_resident_stop", "  stops found (_resident_stop)"),
        (payroll, "_line", "  lines made (_line)"),
        (payroll, "_bed_lines", "bed operation subsidy (_bed_lines)"),
        (payroll, "bed_amounts", "  bed_amounts (facts and rules)"),
        (payroll, "_instalment_lines", "instalments (_instalment_lines)"),
        (payroll, "_corrections", "arrears and recoveries (_corrections)"),
        (payroll, "_write_lines", "lines written (_write_lines)"),
        (PayrollLine.objects, "bulk_create", "lines written (PayrollLine.objects.bulk_create)"),
        (payroll, "audit_record", "audit"),
    ]:
        if not hasattr(owner, name):
            continue
        phases.wrap(owner, name, label)
    profiler = cProfile.Profile() if profile else None
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    try:
        run = payroll.payroll_compute(actor=world["actor"], district=world["district"], month=month)
    finally:
        if profiler:
            profiler.disable()
        phases.restore()
    seconds = time.perf_counter() - started
    out: dict[str, Any] = {
        "payroll_1m_seconds": round(seconds, 2),
        "payroll_profiled": profile,
        "payroll_rss_growth_mb": round(peak_rss_mb() - rss_before, 1),
        "run_line_count": run.line_count,
        "run_total_yuan": str(run.total),
        "run_stops": len(run.stops),
        "phases_seconds": {k: round(v, 2) for k, v in phases.seconds.items()},
        "phases_calls": phases.calls,
    }
    top = sum(v for k, v in phases.seconds.items() if not k.startswith(" "))
    out["phases_seconds"]["rest (checks, run row, stops and totals, commit)"] = round(seconds - top, 2)
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
        out["profile_top"] = text.getvalue().splitlines()[:70]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('benefits_payrollline'))")
        out["payroll_lines_table_size"] = cursor.fetchone()[0]
    out["run"] = run
    return out


def check_payroll(run: Any, world: dict[str, Any], expected_fen: np.ndarray) -> dict[str, Any]:
    """The run's resident lines against part 1's amounts for the same people (entitlement k is row k)."""
    from yiyang.benefits.models import PayrollLine

    got = np.zeros(len(expected_fen), dtype=np.int64)
    rows = PayrollLine.objects.filter(run=run, scheme="resident_care_subsidy", kind="regular").values_list(
        "entitlement_id", "amount"
    )
    for entitlement_id, amount in rows.iterator(chunk_size=50_000):
        got[entitlement_id - world["first_entitlement"]] += rules.fen(amount)
    different = np.flatnonzero(got != expected_fen)
    bed = PayrollLine.objects.filter(run=run, scheme="bed_operation_subsidy").count()
    return {
        "payroll_mismatches": len(different),
        "payroll_first_mismatches": [
            {"row": int(i), "payroll_fen": int(got[i]), "expected_fen": int(expected_fen[i])} for i in different[:5]
        ],
        "resident_lines": int(np.count_nonzero(got)),
        "bed_lines": bed,
    }


# ------------------------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--month", default="2026-11", help="YYYY-MM")
    parser.add_argument("--seed", type=int, default=20261101)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each engine; the fastest is reported")
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL database to (re)create for the payroll part, e.g. "
        "postgresql://postgres@127.0.0.1:5432/yiyang_bench_benefits (dropped and recreated); "
        "without it only the rules and OpenFisca part runs",
    )
    parser.add_argument("--keep", action="store_true", help="leave the payroll database in place afterwards")
    parser.add_argument("--profile", action="store_true", help="run the payroll under cProfile (slower)")
    parser.add_argument("--load-only", action="store_true", help="load the payroll database and keep it; no payroll")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="time the payroll on a database loaded earlier with the same --people and --seed (--keep or "
        "--load-only; pass the same YIYANG_MASTER_KEYS): its runs are deleted first, it is kept afterwards",
    )
    args = parser.parse_args()
    month = date.fromisoformat(f"{args.month}-01")

    out: dict[str, Any] = {"people": args.people, "month": args.month, "seed": args.seed}
    started = time.perf_counter()
    people = synthesise(args.people, month, args.seed)
    out["synthesise_seconds"] = round(time.perf_counter() - started, 2)
    out["facts"] = people.counts

    policy = Policy.for_district()
    rules.resident_matrix(policy, month)  # parameters parsed and cached before timing
    # Best of --repeat for each engine (the machine is shared; the fastest run is the least disturbed).
    ours_runs = [run_ours(people, policy) for _ in range(args.repeat)]
    ours, our_days = ours_runs[0][0], ours_runs[0][1]
    compute_runs = [round(run[2], 3) for run in ours_runs]
    compute_seconds = min(run[2] for run in ours_runs)
    openfisca_runs = [run_openfisca(people, month) for _ in range(args.repeat)]
    theirs, setup, openfisca_version = openfisca_runs[0][0], openfisca_runs[0][2], openfisca_runs[0][3]
    openfisca_runs_seconds = [round(run[1], 3) for run in openfisca_runs]
    openfisca_seconds = min(run[1] for run in openfisca_runs)
    del ours_runs[1:], openfisca_runs[1:]
    check = compare(ours, theirs)
    days_check = int(np.count_nonzero(our_days != people.days_first + people.days_after))

    out.update(
        {
            "compute_seconds": round(compute_seconds, 3),
            "openfisca_seconds": round(openfisca_seconds, 3),
            "openfisca_ratio": round(openfisca_seconds / compute_seconds, 2),
            "openfisca_target_ratio": TARGET_RATIO,
            "compute_runs_seconds": compute_runs,
            "openfisca_runs_seconds": openfisca_runs_seconds,
            "openfisca_setup_seconds": round(setup, 3),
            "openfisca_core": openfisca_version,
            "numpy": np.__version__,
            **check,
            "day_count_mismatches": days_check,
            "total_fen": int(ours.sum()),
            "total_yuan": str(rules.yuan(int(ours.sum()))),
            "paid_people": int(np.count_nonzero(ours)),
            "peak_rss_mb": peak_rss_mb(),
        }
    )
    if args.database_url:
        out.update(payroll_part(args, people, month, ours))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"benefits-{stamp}.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, ensure_ascii=False))
    if check["mismatches"] or days_check or out.get("payroll_mismatches"):
        print(
            f"MISMATCH: {check['mismatches']} amounts, {days_check} day counts, "
            f"{out.get('payroll_mismatches', 0)} payroll amounts differ",
            file=sys.stderr,
        )
        return 1
    return 0


def payroll_part(args: argparse.Namespace, people: People, month: date, expected_fen: np.ndarray) -> dict[str, Any]:
    from registry import database_size, drop_database, recreate_database, server_settings

    keep = args.keep or args.load_only or args.reuse_database
    if not args.reuse_database:
        recreate_database(args.database_url)
    try:
        setup_django(args.database_url)
        from django.db import connections

        result: dict[str, Any] = {}
        if args.reuse_database:
            world = reuse_world()
        else:
            log(f"loading {len(people.economic):,} elders with their facts and entitlements …")
            world = seed_world(people, month, args.seed)
            log(f"loaded in {world['load_seconds']} s")
            result.update(
                demo_seed_seconds=world["demo_seed_seconds"],
                load_seconds=world["load_seconds"],
                vacuum_analyze_seconds=world["vacuum_seconds"],
            )
        result["seed_counts"] = world["counts"]
        if not args.load_only:
            log("computing the payroll …")
            timed = time_payroll(world, month, args.profile)
            run = timed.pop("run")
            log(f"payroll computed in {timed['payroll_1m_seconds']} s; checking the lines …")
            checked = check_payroll(run, world, expected_fen)
            result = {
                "payroll_1m_seconds": timed["payroll_1m_seconds"],
                "entitlements_per_s": round(world["counts"]["entitlements"] / timed["payroll_1m_seconds"]),
                "payroll_target_seconds": TARGET_PAYROLL_SECONDS,
                **{k: v for k, v in timed.items() if k != "payroll_1m_seconds"},
                **checked,
                **result,
            }
        result.update(database_size=database_size(), database_settings=server_settings(), database_kept=keep)
        connections.close_all()
        return result
    finally:
        if not keep:
            drop_database(args.database_url)


def reuse_world() -> dict[str, Any]:
    """What seed_world returned, read back from a kept database; its payroll runs deleted."""
    from django.db import connection

    from yiyang.accounts.models import User
    from yiyang.areas.models import Area
    from yiyang.benefits.models import Entitlement, PayrollRun
    from yiyang.organisations.models import Organisation

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE benefits_payrollline")
    PayrollRun.objects.all().delete()
    resident = Entitlement.objects.filter(scheme="resident_care_subsidy")
    return {
        "district": Area.objects.get(level="district"),
        "actor": User.objects.get(username="bureau"),
        "first_entitlement": resident.order_by("pk").values_list("pk", flat=True).first(),
        "counts": {
            "entitlements": Entitlement.objects.count(),
            "resident_entitlements": resident.count(),
            "institutions": Organisation.objects.filter(name__startswith="测试养老院").count(),
        },
    }


if __name__ == "__main__":
    raise SystemExit(main())
