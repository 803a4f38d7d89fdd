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
    # (field, row) of the errors seen by `has`, and how many of `errors` that covers: callers also
    # extend `errors` directly, so the index catches up on each call (a 50,000-row import asks per row).
    _seen: set[tuple[str, int | None]] = field(default_factory=set, repr=False, compare=False)
    _indexed: int = field(default=0, repr=False, compare=False)

    def add(self, field_name: str, reason: str, code: str = "invalid", row: int | None = None) -> None:
        self.errors.append(FieldError(field_name, reason, code, row))

    def drop(self, field_name: str, *, since: int = 0) -> None:
        """Remove the errors for `field_name` among those reported from index `since` on."""
        self.errors[since:] = [e for e in self.errors[since:] if e.field != field_name]
        self._seen, self._indexed = set(), 0

    def has(self, field_name: str, row: int | None = None) -> bool:
        """Whether an error for `field_name` (in `row`) was already reported."""
        for error in self.errors[self._indexed :]:
            self._seen.add((error.field, error.row))
        self._indexed = len(self.errors)
        return (field_name, row) in self._seen

    def raise_if_any(self, message: str = "Validation failed") -> None:
        if self.errors:
            raise ValidationFailed(message, errors=self.errors)
