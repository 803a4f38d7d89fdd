"""Who may be registered as an elder: the minimum age, from the law (data/eligibility.yaml), unless a
deployment sets YIYANG_ELDER_MIN_AGE."""

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

DATA_FILE = Path(__file__).resolve().parent / "data" / "eligibility.yaml"


@dataclass(frozen=True)
class Eligibility:
    min_age_years: int
    source: str
    verified: bool
    effective_from: date


@cache
def eligibility_policy() -> Eligibility:
    """The shipped policy (read once per process)."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        raw: dict[str, Any] = yaml.safe_load(handle)
    effective = raw["effective_from"]
    return Eligibility(
        min_age_years=int(raw["min_age_years"]),
        source=str(raw["source"]),
        verified=bool(raw.get("verified", False)),
        effective_from=effective if isinstance(effective, date) else date.fromisoformat(str(effective)),
    )


def elder_min_age() -> int:
    """Full years of age an elder must have reached: YIYANG_ELDER_MIN_AGE if set, else the law's 60."""
    configured = getattr(settings, "YIYANG_ELDER_MIN_AGE", None)
    return int(configured) if configured is not None else eligibility_policy().min_age_years
