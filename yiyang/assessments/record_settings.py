"""Settings of the records layer that are local policy, not standard: how long a confirmed assessment
stays valid per scale and how many days before it lapses the due list starts reminding.

They live in a dated data file with its source (`data/record_settings.yaml`), so the result page and
the docs can say where the numbers come from and that they are unverified.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "record_settings.yaml"
DEFAULT_VALIDITY_MONTHS = 12


@dataclass(frozen=True)
class RecordSettings:
    validity_months: dict[str, int]
    reminder_days: int
    source: str
    verified: bool
    effective_from: date
    source_en: str = ""

    @property
    def source_shown(self) -> str:
        """`source` in the active language (`source_en` in English)."""
        from yiyang.core.text import in_language

        return in_language(self.source, self.source_en)

    def months_for(self, scale: str) -> int:
        return self.validity_months.get(scale, DEFAULT_VALIDITY_MONTHS)


def _parse(raw: dict[str, Any]) -> RecordSettings:
    scales = raw.get("scales") or {}
    effective = raw["effective_from"]
    return RecordSettings(
        validity_months={str(code): int(entry["validity_months"]) for code, entry in scales.items()},
        reminder_days=int(raw["reminder_days"]),
        source=str(raw["source"]),
        source_en=str(raw.get("source_en") or ""),
        verified=bool(raw.get("verified", False)),
        effective_from=effective if isinstance(effective, date) else date.fromisoformat(str(effective)),
    )


@cache
def record_settings() -> RecordSettings:
    """The shipped record settings (read once per process)."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        return _parse(yaml.safe_load(handle))


def add_months(start: date, months: int) -> date:
    """`start` plus whole months; the 31st becomes the month's last day (2025-01-31 + 1 → 2025-02-28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def valid_until_for(scale: str, assessed_on: date) -> date:
    """The last day a record of `scale` assessed on `assessed_on` counts (the day before the same date
    `validity_months` later)."""
    months = record_settings().months_for(scale)
    return date.fromordinal(add_months(assessed_on, months).toordinal() - 1)
