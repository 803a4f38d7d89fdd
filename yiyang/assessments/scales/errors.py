"""Errors of the scale layer. User-facing reasons are Chinese; a broken data file is a deploy error."""

from yiyang.core.errors import FieldError, ValidationFailed


class UnknownScale(ValidationFailed):
    """The scale code is not one of `SCALE_CODES`; `errors` has one FieldError on field `scale`."""

    title = "未知的评估量表"

    @classmethod
    def for_code(cls, code: object, known: tuple[str, ...]) -> "UnknownScale":
        reason = f"未知的评估量表“{code}”；可用的量表：{'、'.join(known)}"
        return cls(reason, errors=[FieldError("scale", reason, "unknown_scale")])


class InvalidAnswers(ValidationFailed):
    """The answers broke one or more rules; `errors` has one FieldError per bad item or fact, all at once.

    Codes: `unknown_item`, `missing_item`, `invalid_score`, `ambiguous_score`, `missing_fact`,
    `invalid_fact`, `invalid` (the answers are not an object).
    """

    title = "评估答案有误"


class InvalidPolicy(ValidationFailed):
    """A policy override or a settings mapping is malformed; fields are dotted paths (`policy.group_bands.C1[2].max`)."""

    title = "政策数据或设置有误"


class ScaleDataError(Exception):
    """A shipped data file is malformed. Raised at load time, naming the file and every problem."""
