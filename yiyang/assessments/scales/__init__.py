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
  `{"stack_level_rules": True}` for GB/T 42195.

Everything here is pure: no database, no Django models, no clock.
"""
