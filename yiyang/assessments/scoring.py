"""The records layer's only door to the pure scale layer (`yiyang.assessments.scales`).

Everything the services, API and pages need from a scale goes through here: the scale codes and
definitions, scoring (complete answers) and checking (a draft's partial answers), checking an
officer's policy data, and a fingerprint of the data a result was computed from.
"""

import functools
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings
from django.utils import translation

from yiyang.assessments import scales
from yiyang.assessments.scales import InvalidAnswers, InvalidPolicy, Scale, ScaleResult, UnknownScale
from yiyang.core.errors import FieldError

SCALE_CODES: tuple[str, ...] = tuple(scales.SCALE_CODES)
# Error codes of the scale layer that only mean "not answered yet": allowed in a draft.
MISSING_CODES = frozenset({"missing_item", "missing_fact"})

__all__ = [
    "MISSING_CODES",
    "SCALE_CODES",
    "InvalidAnswers",
    "InvalidPolicy",
    "Scale",
    "ScaleResult",
    "UnknownScale",
    "answers_check_partial",
    "get_scale",
    "policy_check",
    "scale_fingerprint",
    "score",
    "score_in_active_language",
]


def get_scale(code: str) -> Scale:
    """The shipped definition; UnknownScale (a ValidationFailed on `scale`) for an unknown code."""
    return scales.get_scale(code)


def score(
    code: str, answers: Mapping[str, Any], *, policy: Mapping[str, Any] | None, settings: Mapping[str, Any] | None
) -> ScaleResult:
    """Score complete answers; InvalidAnswers lists every bad, unknown or missing item at once. The
    explanation is worded in the site's language (Chinese), whoever asks: it is stored on the record."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return score_in_active_language(code, answers, policy=policy, settings=settings)


def score_in_active_language(
    code: str, answers: Mapping[str, Any], *, policy: Mapping[str, Any] | None, settings: Mapping[str, Any] | None
) -> ScaleResult:
    """`score`, with the explanation worded in the active language (for showing, never for storing)."""
    return scales.score(code, dict(answers), policy=dict(policy) if policy else None, settings=settings or None)


def answers_check_partial(code: str, answers: Mapping[str, Any]) -> list[FieldError]:
    """Problems with the answers given so far, ignoring items and facts not answered yet (a draft).

    Returns an empty list when every answer given is acceptable (complete or not).
    """
    try:
        scales.score(code, dict(answers))
    except InvalidAnswers as exc:
        return [error for error in exc.errors if error.code not in MISSING_CODES]
    return []


def answers_missing(code: str, answers: Mapping[str, Any]) -> list[FieldError]:
    """The items and facts still unanswered (empty when the answers are complete)."""
    try:
        scales.score(code, dict(answers))
    except InvalidAnswers as exc:
        return [error for error in exc.errors if error.code in MISSING_CODES]
    return []


def policy_check(code: str, *, data: Mapping[str, Any] | None, settings: Mapping[str, Any] | None) -> list[FieldError]:
    """Every problem with an officer's policy data and settings for scale `code` (empty when good).

    `data` has the scale layer's override shape (`source`, `verified`, optional `note`, and the
    scale's `policy_keys`); `settings` the scale's switches (e.g. `stack_level_rules`).
    """
    scale = get_scale(code)
    errors: list[FieldError] = []
    if data is not None:
        try:
            scales.apply_policy(scale, data)
        except InvalidPolicy as exc:
            errors.extend(exc.errors)
    if settings is not None:
        try:
            scales.parse_settings(scale, settings)
        except InvalidPolicy as exc:
            errors.extend(exc.errors)
    return errors


# English reading aids beside the Chinese (`name_en: "…"`, inline or on their own line) change no score:
# the fingerprint leaves them out, so adding or correcting a translation keeps results' fingerprints.
_ENGLISH_INLINE = re.compile(rb', \w+_en: "(?:[^"\\]|\\.)*"')
_ENGLISH_LINE = re.compile(rb'^[ \t]*\w+_en: "(?:[^"\\]|\\.)*"[ \t]*\r?\n', re.MULTILINE)


@functools.cache
def scale_fingerprint(code: str) -> str:
    """`v<version>:<first 16 hex of the data file's SHA-256>`: which shipped data a result used. The
    English texts beside the Chinese are not part of it (they change no score)."""
    scale = get_scale(code)
    from yiyang.assessments.scales import loading  # where the shipped data files are

    path = loading.DATA_DIR / f"{code}.yaml"
    content = path.read_bytes() if path.exists() else repr(scale).encode()
    content = _ENGLISH_LINE.sub(b"", _ENGLISH_INLINE.sub(b"", content))
    return f"v{scale.version}:{hashlib.sha256(content).hexdigest()[:16]}"
