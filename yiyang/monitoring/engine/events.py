"""Control events for the engine step, besides the contract's `Reading` and `Tick`.

Staff set suppression modes with an expiry (away, in hospital, maintenance); the runner turns those
into `SetSuppression` / `ClearSuppression` events for the elder's step. Times are aware datetimes.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from yiyang.monitoring.engine.contract import Reading, Tick

SuppressionMode = Literal["away", "in_hospital", "maintenance"]


@dataclass(frozen=True, slots=True)
class SetSuppression:
    """Suppress the mode's alert types for the elder until `until` (exclusive). Setting again extends."""

    elder_id: int
    mode: SuppressionMode
    until: datetime


@dataclass(frozen=True, slots=True)
class ClearSuppression:
    """End a suppression mode early."""

    elder_id: int
    mode: SuppressionMode


ControlEvent = SetSuppression | ClearSuppression
Event = Reading | Tick | SetSuppression | ClearSuppression
