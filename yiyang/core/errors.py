"""One error hierarchy for the domain; the API maps it to JSON naming each field and reason."""

from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str
    code: str = "invalid"
    row: int | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "reason": self.reason, "code": self.code}
        if self.row is not None:
            data["row"] = self.row
        return data


class ApplicationError(Exception):
    """Base of all domain errors; `status` is the HTTP status an interface should answer with."""

    status = 400
    # A subclass may give a lazily translated title; it is put into words when the error is raised.
    title: str | Promise = "Invalid request"

    def __init__(self, message: str = "", *, errors: list[FieldError] | None = None) -> None:
        self.message = message or str(self.title)
        self.errors: list[FieldError] = list(errors or [])
        super().__init__(self.message)


class ValidationFailed(ApplicationError):
    """Input broke one or more rules; `errors` names every field and why. Nothing was written."""

    status = 400
    title: str | Promise = "Validation failed"

    @classmethod
    def single(cls, field_name: str, reason: str, code: str = "invalid") -> "ValidationFailed":
        return cls(reason, errors=[FieldError(field_name, reason, code)])


class NotFound(ApplicationError):
    """Missing, or outside the caller's jurisdiction: the same answer so ids cannot be probed."""

    status = 404
    title: str | Promise = "Not found"


class Forbidden(ApplicationError):
    """The record is within reach but the caller lacks the named permission for this action."""

    status = 403
    title: str | Promise = "Permission denied"


class Conflict(ApplicationError):
    """Someone else changed the same thing at the same moment; nothing was written. Retry after
    reloading."""

    status = 409
    title: str | Promise = "Conflict"


@dataclass
class ErrorCollector:
    """Collects field errors so one response can list them all."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, reason: str, code: str = "invalid", row: int | None = None) -> None:
        self.errors.append(FieldError(field_name, reason, code, row))

    def raise_if_any(self, message: str = "Validation failed") -> None:
        if self.errors:
            raise ValidationFailed(message, errors=self.errors)
