"""Confirmed assessments for the demo district, so that every GB/T 42195 ability level (0–4) and
every LTC grade (0–5) appears on profiles, lists and the due page.

The answers are synthetic but scored by the real scale layer: a handful of answer sets is built
per target level, each scored once, and the result reused for many elders. Rows are bulk-created.
"""

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.accounts.selectors import person_snapshot
from yiyang.assessments import scoring
from yiyang.assessments.choices import AssessmentReason, AssessmentStatus, ScaleFamily, family_of
from yiyang.assessments.models import Assessment
from yiyang.assessments.record_settings import valid_until_for
from yiyang.elders.models import Elder

ABILITY_SCALE = "gbt42195-2022"
LONG_TERM_CARE_SCALE = "ltc-2021"
# Target group totals per level (GB/T 42195: one total; LTC: ADL, cognition, perception), each
# checked against the level the scorer gives. Extra entries show the level-change rules at work.
ABILITY_TARGETS: tuple[tuple[int, int, dict[str, Any]], ...] = (
    (0, 90, {}),
    (1, 78, {}),
    (1, 70, {}),
    (2, 55, {}),
    (2, 72, {"diagnoses": ["F03"]}),  # 轻度 raised one level by dementia (C4 第2条)
    (3, 38, {}),
    (3, 50, {"risk_events_30d": 2}),  # 中度 raised one level by two risk events (C4 第3条)
    (4, 15, {}),
)
LONG_TERM_CARE_TARGETS: tuple[tuple[int, dict[str, int]], ...] = (
    (0, {"C1": 100, "C2": 16, "C3": 12}),
    (1, {"C1": 80, "C2": 16, "C3": 12}),
    (2, {"C1": 50, "C2": 14, "C3": 12}),
    (3, {"C1": 20, "C2": 16, "C3": 12}),
    (4, {"C1": 20, "C2": 8, "C3": 10}),
    (5, {"C1": 0, "C2": 2, "C3": 3}),
)
ABILITY_WEIGHTS = {0: 35, 1: 30, 2: 18, 3: 10, 4: 7}
LONG_TERM_CARE_WEIGHTS = {0: 10, 1: 25, 2: 25, 3: 20, 4: 12, 5: 8}


class SeedError(Exception):
    """The synthetic answers did not produce the level they were built for (scale data changed)."""


@dataclass(frozen=True)
class Template:
    scale: str
    answers: dict[str, Any]
    result: dict[str, Any]

    @property
    def level(self) -> int:
        return int(self.result["level"])


@dataclass
class SeedSummary:
    created: int = 0
    skipped: int = 0
    levels: dict[str, Counter[int]] = field(default_factory=dict)


def answers_for_totals(scale_code: str, targets: Mapping[str, int], facts: Mapping[str, Any]) -> dict[str, Any]:
    """Answers whose group totals are `targets`: every item starts at its best score and the items
    of a group are lowered one step at a time, in turn, until the group reaches its target (so the
    loss is spread, as in a real person; items resolved by a fact are lowered last)."""
    scale = scoring.get_scale(scale_code)
    answers: dict[str, Any] = {}
    for group in scale.groups:
        items = sorted((scale.item(code) for code in group.items), key=lambda item: item.resolve_by_fact is not None)
        chosen = {item.code: max(item.allowed_scores) for item in items}
        surplus = sum(chosen.values()) - targets.get(group.code, sum(chosen.values()))
        while surplus > 0:
            lowered = False
            for item in items:
                lower = [score for score in item.allowed_scores if score < chosen[item.code]]
                if not lower or chosen[item.code] - max(lower) > surplus:
                    continue
                surplus -= chosen[item.code] - max(lower)
                chosen[item.code] = max(lower)
                lowered = True
                if surplus == 0:
                    break
            if not lowered:
                raise SeedError(f"{scale_code} {group.code}: 无法凑出目标得分 {targets[group.code]}")
        answers.update(chosen)
    for fact in scale.facts:
        if fact.code in facts:
            answers[fact.code] = facts[fact.code]
        elif fact.type == "bool":
            answers[fact.code] = False
        elif fact.type == "nonneg_int":
            answers[fact.code] = 0
        else:
            answers[fact.code] = []
    return answers


def _template(scale_code: str, answers: dict[str, Any], expected: int) -> Template:
    result = scoring.score(scale_code, answers, policy=None, settings=None).as_dict()
    if result["level"] != expected:
        raise SeedError(f"{scale_code}: 演示答案应得 {expected} 级，实得 {result['level']} 级")
    return Template(scale_code, answers, result)


def seed_templates() -> dict[str, dict[int, list[Template]]]:
    """Scored answer sets per scale and level (each level of both scales at least once)."""
    ability: dict[int, list[Template]] = {}
    for level, total, facts in ABILITY_TARGETS:
        group_targets = _split_total(ABILITY_SCALE, total)
        template = _template(ABILITY_SCALE, answers_for_totals(ABILITY_SCALE, group_targets, facts), level)
        ability.setdefault(level, []).append(template)
    care: dict[int, list[Template]] = {}
    for level, targets in LONG_TERM_CARE_TARGETS:
        template = _template(LONG_TERM_CARE_SCALE, answers_for_totals(LONG_TERM_CARE_SCALE, targets, {}), level)
        care.setdefault(level, []).append(template)
    return {ABILITY_SCALE: ability, LONG_TERM_CARE_SCALE: care}


def _split_total(scale_code: str, total: int) -> dict[str, int]:
    """Spread a total over the groups in proportion to their maxima (remainder to the last)."""
    scale = scoring.get_scale(scale_code)
    maximum = sum(group.max for group in scale.groups)
    targets: dict[str, int] = {}
    left = total
    for group in scale.groups[:-1]:
        share = min(group.max, round(total * group.max / maximum))
        targets[group.code] = share
        left -= share
    targets[scale.groups[-1].code] = left
    return targets


def _levels_for(count: int, weights: Mapping[int, int], rng: random.Random) -> list[int]:
    """`count` levels: each level once first (so every one appears), then drawn by weight."""
    levels = sorted(weights)[:count]
    population, weight = list(weights), list(weights.values())
    levels += rng.choices(population, weight, k=max(0, count - len(levels)))
    return levels


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def assessment_seed_confirmed(
    *,
    elders: Sequence[Elder],
    assessor_for: Callable[[Elder], User],
    reviewer: User,
    today: date,
    long_term_care_share: float = 0.3,
    seed: int = 20260101,
    batch_size: int = 2000,
) -> SeedSummary:
    """Create confirmed GB/T 42195 assessments for `elders` (and LTC 2021 ones for a share of them).

    Every ability level and every LTC grade appears at least once when there are enough elders
    (five and six). Dates fall within the last 13 months, so some records are lapsing or lapsed.
    Elders that already have a confirmed record of a family are skipped for that family, so a
    second run adds nothing. Writes no audit events (demo data, not anyone's act).
    """
    rng = random.Random(seed)
    templates = seed_templates()
    existing: set[tuple[int, str]] = set()
    ids = [e.pk for e in elders]
    for start in range(0, len(ids), 500):  # stay below SQLite's limit on query parameters
        existing.update(
            Assessment.objects.filter(
                elder_id__in=ids[start : start + 500], status=AssessmentStatus.CONFIRMED
            ).values_list("elder_id", "family")
        )
    summary = SeedSummary(levels={ABILITY_SCALE: Counter(), LONG_TERM_CARE_SCALE: Counter()})
    plan: list[tuple[Elder, str, int]] = []
    ability_elders = [e for e in elders if (e.pk, ScaleFamily.ABILITY.value) not in existing]
    summary.skipped += len(elders) - len(ability_elders)
    for elder, level in zip(ability_elders, _levels_for(len(ability_elders), ABILITY_WEIGHTS, rng), strict=True):
        plan.append((elder, ABILITY_SCALE, level))
    care_pool = [e for e in elders if (e.pk, ScaleFamily.LONG_TERM_CARE.value) not in existing]
    care_target = min(len(elders), max(len(LONG_TERM_CARE_WEIGHTS), round(len(elders) * long_term_care_share)))
    care_count = max(0, min(len(care_pool), care_target - (len(elders) - len(care_pool))))
    care_elders = rng.sample(care_pool, care_count) if care_count < len(care_pool) else care_pool
    for elder, level in zip(care_elders, _levels_for(len(care_elders), LONG_TERM_CARE_WEIGHTS, rng), strict=True):
        plan.append((elder, LONG_TERM_CARE_SCALE, level))
    fingerprints = {code: scoring.scale_fingerprint(code) for code in templates}
    signers: dict[int, dict[str, str]] = {}

    def signed_by(user: User) -> dict[str, str]:
        if user.pk not in signers:
            signers[user.pk] = person_snapshot(User.objects.select_related("organisation", "area").get(pk=user.pk))
        return signers[user.pk]

    rows: list[Assessment] = []
    for elder, scale, level in plan:
        template = rng.choice(templates[scale][level])
        assessed_on = today - timedelta(days=rng.randint(3, 395))
        confirmed_on = min(today, assessed_on + timedelta(days=rng.randint(0, 3)))
        assessor = assessor_for(elder)
        rows.append(
            Assessment(
                elder=elder,
                scale=scale,
                family=family_of(scale),
                scale_version=fingerprints[scale],
                reason=AssessmentReason.FIRST if rng.random() < 0.6 else AssessmentReason.ROUTINE,
                assessed_on=assessed_on,
                assessor=assessor,
                reviewer=reviewer,
                assessor_snapshot=signed_by(assessor),
                reviewer_snapshot=signed_by(reviewer),
                status=AssessmentStatus.CONFIRMED,
                answers=template.answers,
                result=template.result,
                total=template.result["total"],
                level=template.level,
                level_name=template.result["level_name"],
                level_code=template.result["level_code"],
                verified=bool(template.result["verified"]),
                scoring_settings=template.result["settings"],
                valid_until=valid_until_for(scale, assessed_on),
                submitted_at=_at(assessed_on, 17),
                confirmed_at=_at(confirmed_on, 10) if confirmed_on > assessed_on else _at(assessed_on, 18),
            )
        )
        summary.levels[scale][level] += 1
    if any(row.assessor_id == reviewer.pk for row in rows):
        raise SeedError("审核人不能同时是评估员")
    Assessment.objects.bulk_create(rows, batch_size=batch_size)
    summary.created = len(rows)
    return summary


def first_of(candidates: Iterable[tuple[User, set[int]]], fallback: User) -> Callable[[Elder], User]:
    """An `assessor_for` that picks the first account whose reach (a set of elder ids) holds the elder."""
    ordered = list(candidates)

    def pick(elder: Elder) -> User:
        return next((user for user, reach in ordered if elder.pk in reach), fallback)

    return pick
