"""Forms that only turn posted text into typed values; every rule lives in the services, whose
errors are put back next to the matching input."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.areas.selectors import areas_in_reach
from yiyang.core.errors import FieldError
from yiyang.core.forms import InvalidFieldsMarked, must_choose
from yiyang.organisations.choices import HospitalGrade, OrganisationKind, OrganisationStatus, Ownership
from yiyang.organisations.models import Organisation
from yiyang.organisations.services import EDITABLE_FIELDS


class BedForm(forms.Form):
    building = forms.CharField(required=False)
    room = forms.CharField(required=False)
    number = forms.CharField(required=False)
    note = forms.CharField(required=False)


class BedStateForm(forms.Form):
    state = forms.CharField(required=False)
    note = forms.CharField(required=False)


class AdmitForm(forms.Form):
    bed = forms.UUIDField(required=False)
    elder_national_id = forms.CharField(required=False)
    admitted_on = forms.DateField(required=False)
    note = forms.CharField(required=False)


class DischargeForm(forms.Form):
    reason = forms.CharField(required=False)
    discharged_on = forms.DateField(required=False)


class AreaSelect(forms.Select):
    """A select whose options carry `data-level` (street or community), so the page can offer the
    level that suits the chosen kind. The service still decides."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels: dict[str, str] = {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        level = self.levels.get(str(option["value"]))
        if level:
            option["attrs"]["data-level"] = level
        return option


class OrganisationForm(InvalidFieldsMarked, forms.Form):
    """Register (no status: a new organisation is open) or edit an organisation. Choices are offered
    as selects but posted as text, and every field is optional here, so that the service, which
    knows the rules, reports each problem; only coordinates that are not numbers fail here."""

    # No kind preselected: the first one would be recorded for a form nobody looked at.
    kind = forms.CharField(
        label=_("机构类型"), required=False, widget=forms.Select(choices=must_choose(OrganisationKind.choices))
    )
    name = forms.CharField(label=_("名称"), required=False)
    area = forms.CharField(
        label=_("所在区域"),
        required=False,
        widget=AreaSelect,
        help_text=_("照料中心选街道本级，其他机构选社区。"),
    )
    address = forms.CharField(label=_("地址"), required=False)
    latitude = forms.DecimalField(
        label=_("纬度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        error_messages={"invalid": _("纬度应为以度为单位的数字，如 24.4798")},
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        error_messages={"invalid": _("经度应为以度为单位的数字，如 118.0894")},
    )
    licence_number = forms.CharField(label=_("许可/登记证号"), required=False)
    filing_number = forms.CharField(label=_("备案号"), required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), required=False)
    ownership = forms.CharField(
        label=_("性质"), required=False, widget=forms.Select(choices=[("", "—"), *Ownership.choices])
    )
    is_integrated_care = forms.BooleanField(label=_("医养结合"), required=False)
    hospital_grade = forms.CharField(
        label=_("医院等级"),
        required=False,
        widget=forms.Select(choices=[("", "—"), *HospitalGrade.choices]),
        help_text=_("仅医院填写。"),
    )
    contact_name = forms.CharField(label=_("联系人"), required=False)
    contact_phone = forms.CharField(label=_("联系电话"), required=False)
    status = forms.CharField(label=_("状态"), required=False, widget=forms.Select(choices=OrganisationStatus.choices))

    def __init__(self, *args: Any, user: AnyUser, organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisation is None:
            del self.fields["status"]
        self._offer_areas(user, organisation)
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                css = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["name"].widget.attrs["required"] = True
        self.fields["area"].widget.attrs["required"] = True
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs["step"] = "any"

    def _offer_areas(self, user: AnyUser, organisation: Organisation | None) -> None:
        """Streets and communities in reach, grouped by street (plus the current area when editing)."""
        areas = areas_in_reach(user=user).filter(level__in=(AreaLevel.STREET, AreaLevel.COMMUNITY))
        if organisation is not None:
            areas = areas | Area.objects.filter(pk=organisation.area_id)
        groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
        widget = cast(AreaSelect, self.fields["area"].widget)
        for area in areas.select_related("street").order_by("code"):
            street = area if area.level == AreaLevel.STREET else area.street
            key, group_name = (street.pk, street.name) if street is not None else (0, "")
            label = _("%(name)s（街道本级）") % {"name": area.name} if area.level == AreaLevel.STREET else area.name
            groups.setdefault(key, (group_name, []))[1].append((str(area.public_id), str(label)))
            widget.levels[str(area.public_id)] = area.level
        widget.choices = [("", _("请选择")), *groups.values()]

    @staticmethod
    def initial_of(organisation: Organisation) -> dict[str, Any]:
        """The form's values for an organisation as stored."""
        initial = {name: getattr(organisation, name) for name in EDITABLE_FIELDS if name != "area"}
        initial["area"] = str(organisation.area.public_id)
        return initial

    def problems(self) -> list[FieldError]:
        """The form's own errors (values that could not be read), as the services name them."""
        self.is_valid()
        return [FieldError(name, str(reason)) for name, reasons in self.errors.items() for reason in reasons]

    def values(self) -> dict[str, Any]:
        """Cleaned values that could be read, named as OrganisationInput's fields (`area` still the
        posted id)."""
        return {name: value for name, value in self.cleaned_data.items() if name in EDITABLE_FIELDS}

    def add_service_errors(self, errors: list[FieldError]) -> None:
        """Put each error of a ValidationFailed next to its input (or above the form); an input that
        already shows why it could not be read gets no second error."""
        unreadable = set(self.errors)
        for error in errors:
            name = error.field if error.field in self.fields else None
            if name not in unreadable:
                self.add_error(name, error.reason)
