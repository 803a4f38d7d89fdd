"""Assessment scales as data, scored by pure functions.

Public interface (used by the records layer, the API and `yiyang assess`):

- `SCALE_CODES`: the scale codes (`gbt42195-2022`, `ltc-2021`, `ltc-2021-self`, `barthel`,
  `selfcare-phs`, `mzt039-2013`).
- `get_scale(code) -> Scale`: the scale definition (items, options in Chinese, groups, bands,
  sources with verified marks); raises `UnknownScale`.
- `score(code, answers, *, policy=None, settings=None) -> ScaleResult`: validate the answers and
  compute the result; raises `UnknownScale`, or `InvalidAnswers` listing every bad item at once.
  `policy` replaces the scale's shipped policy data (e.g. LTC group bands and the combination
  table loaded by an officer); `settings` holds policy switches such as
  `{"stack_level_rules": True}` for GB/T 42195. A malformed policy or settings mapping raises
  `InvalidPolicy`.
- `apply_policy(scale, policy) -> Scale` and `parse_settings(scale, settings)`: validate an override
  on its own (e.g. when an officer uploads it), raising `InvalidPolicy`.

Everything here is pure: no database, no Django models, no clock. The data files are in `data/`;
docs/assessments.md describes every scale, its sources and which values are unverified.
"""

from yiyang.assessments.scales.errors import InvalidAnswers, InvalidPolicy, ScaleDataError, UnknownScale
from yiyang.assessments.scales.loading import SCALE_CODES, apply_policy, get_scale, parse_settings
from yiyang.assessments.scales.model import (
    Band,
    Combination,
    Fact,
    Group,
    Item,
    Level,
    Option,
    PolicyInfo,
    Rule,
    Scale,
    ScaleResult,
    Setting,
    Source,
    Step,
)
from yiyang.assessments.scales.scoring import score

__all__ = [
    "SCALE_CODES",
    "Band",
    "Combination",
    "Fact",
    "Group",
    "InvalidAnswers",
    "InvalidPolicy",
    "Item",
    "Level",
    "Option",
    "PolicyInfo",
    "Rule",
    "Scale",
    "ScaleDataError",
    "ScaleResult",
    "Setting",
    "Source",
    "Step",
    "UnknownScale",
    "apply_policy",
    "get_scale",
    "parse_settings",
    "score",
]
