"""Build answers that reach given totals, for table tests of band boundaries."""

from collections.abc import Sequence
from typing import Any

from yiyang.assessments.scales import Item, get_scale


def fill(items: Sequence[Item], target: int) -> dict[str, Any]:
    """Answers for `items` adding up to `target` (highest scores first); ValueError when unreachable.

    A score shared by several options is answered with the first option's code (B.3.9 0 -> "stupor").
    """
    suffix: list[set[int]] = [{0}]
    for item in reversed(items):
        scores = {option.score for option in item.options}
        suffix.insert(0, {total + score for total in suffix[0] for score in scores})
    if target not in suffix[0]:
        raise ValueError(f"{target} is not reachable")
    answers: dict[str, Any] = {}
    remaining = target
    for index, item in enumerate(items):
        score = max(s for s in item.allowed_scores if remaining - s in suffix[index + 1])
        options = item.options_with_score(score)
        answers[item.code] = score if len(options) == 1 else options[0].code
        remaining -= score
    return answers


def answers_for(scale_code: str, total: int | None = None, **group_totals: int) -> dict[str, Any]:
    """Answers for a whole scale: one overall `total`, or per-group totals (group code with '.' as '_')."""
    scale = get_scale(scale_code)
    if total is not None:
        return fill(scale.items, total)
    answers: dict[str, Any] = {}
    for group in scale.groups:
        key = group.code.replace(".", "_")
        items = [scale.item(code) for code in group.items]
        answers.update(fill(items, group_totals.get(key, group.max)))
    return answers


def gbt(
    total: int, *, coma: bool = False, diagnoses: list[str] | None = None, risk: int = 0, **extra: Any
) -> dict[str, Any]:
    """GB/T 42195 answers with the given total; with `coma` B.3.9 is answered "coma" (0 points)."""
    scale = get_scale("gbt42195-2022")
    if coma:
        answers = fill([item for item in scale.items if item.code != "B.3.9"], total)
        answers["B.3.9"] = "coma"
    else:
        answers = fill(scale.items, total)
    answers.update({"diagnoses": diagnoses or [], "risk_events_30d": risk})
    answers.update(extra)
    return answers
