"""What every server-rendered form shares: errors shown at the input they are about, and no
preselected answer for a fact that must be asked."""

from typing import Any

from django.utils.translation import gettext_lazy as _

# The empty first choice of a select whose answer must be asked (a person's economic status, an
# organisation's kind): an untouched form then fails at that field instead of recording the first
# choice as if someone had said so.
PLEASE_CHOOSE = ("", _("请选择"))


def must_choose(choices: Any) -> list[tuple[Any, Any]]:
    """`choices` behind the empty "please choose" entry (see PLEASE_CHOOSE)."""
    return [PLEASE_CHOOSE, *choices]


class InvalidFieldsMarked:
    """Mixin for a django Form: the input of every field with an error also carries Bootstrap's
    `is-invalid` (red border, read by screen readers with aria-invalid), whether the error came from
    the field's own cleaning or from a service through `add_error`."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self._errors:  # type: ignore[attr-defined]
            bound = self.fields.get(name)  # type: ignore[attr-defined]
            if bound is None:
                continue
            css = bound.widget.attrs.get("class", "")
            if "is-invalid" not in css.split():
                bound.widget.attrs["class"] = f"{css} is-invalid".strip()
            bound.widget.attrs["aria-invalid"] = "true"
