"""Forms of the elder pages. They only shape input: the rules live in the services, whose errors are
put back next to the matching input with `add_service_errors`."""

from typing import Any, cast
from uuid import UUID

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser
from yiyang.areas.access import area_filter_id
from yiyang.areas.models import Area
from yiyang.areas.selectors import communities_in_reach, streets_in_reach
from yiyang.core.errors import ErrorCollector, FieldError
from yiyang.core.forms import PLEASE_CHOOSE, InvalidFieldsMarked, must_choose
from yiyang.elders.choices import (
    AgeBand,
    EconomicStatus,
    ElderStatus,
    HouseholdRegistration,
    LivingArrangement,
    SpecialStatus,
)
from yiyang.elders.models import Elder
from yiyang.elders.selectors import SEARCH_HELP, ElderFilters, search_refusal
from yiyang.organisations.choices import MEDICAL_KINDS, OrganisationKind
from yiyang.organisations.models import Organisation
from yiyang.organisations.selectors import organisations_in_reach

SERVICE_STATION_KINDS = (OrganisationKind.STATION, OrganisationKind.CARE_CENTRE, OrganisationKind.COMPLEX)
ANY = ("", _("全部"))


class ElderFilterForm(forms.Form):
    """The list's search and filters; streets and communities offered are those in reach only."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    street = forms.ChoiceField(label=_("街道"), required=False)
    community = forms.ChoiceField(label=_("社区"), required=False)
    age_band = forms.ChoiceField(label=_("年龄段"), required=False, choices=[ANY, *AgeBand.choices])
    economic_status = forms.ChoiceField(label=_("经济状况"), required=False, choices=[ANY, *EconomicStatus.choices])
    living_alone = forms.ChoiceField(
        label=_("独居"), required=False, choices=[ANY, ("1", _("独居")), ("0", _("非独居"))]
    )

    # Area filters are not "ignored with a note": one outside the reach answers 404, as in the API.
    AREA_FIELDS = ("street", "community")

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        streets = list(streets_in_reach(user=user).order_by("code"))
        cast(forms.ChoiceField, self.fields["street"]).choices = [ANY, *((str(s.public_id), s.name) for s in streets)]
        grouped: dict[str, list[tuple[str, str]]] = {}
        for community in communities_in_reach(user=user).select_related("street").order_by("code"):
            street_name = community.street.name if community.street else ""
            grouped.setdefault(street_name, []).append((str(community.public_id), community.name))
        cast(forms.ChoiceField, self.fields["community"]).choices = [ANY, *grouped.items()]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            )
        self.fields["q"].widget.attrs["placeholder"] = _("姓名、身份证号或电话")
        self.fields["q"].help_text = SEARCH_HELP

    def clean_q(self) -> str:
        q = (self.cleaned_data.get("q") or "").strip()
        if refusal := search_refusal(q):
            raise forms.ValidationError(refusal, code="search_length")
        return q

    def problems(self) -> list[str]:
        """One sentence per filter whose value was not acceptable (and is therefore ignored)."""
        if not self.is_bound:
            return []
        self.is_valid()
        return [
            str(_("筛选条件“%(label)s”的值无效，已忽略。") % {"label": self.fields[name].label})
            + (f"{self.errors[name][0]}" if name == "q" else "")
            for name in self.errors
            if name not in self.AREA_FIELDS
        ]

    def _area(self, name: str) -> UUID | None:
        """The area filter as given (checked against the reach by the selector); malformed: AreaNotFound."""
        return area_filter_id(self.data.get(name), field=name)

    def to_filters(self) -> ElderFilters:
        """The acceptable filters only; invalid ones are left out rather than failing the page."""
        if not self.is_bound:
            return ElderFilters()
        self.is_valid()
        data = self.cleaned_data
        living_alone = {"1": True, "0": False}.get(data.get("living_alone") or "")
        return ElderFilters(
            q=(data.get("q") or "").strip(),
            street=self._area("street"),
            community=self._area("community"),
            age_band=data.get("age_band") or "",
            economic_status=data.get("economic_status") or "",
            living_alone=living_alone,
        )


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        street = obj.street.name if obj.street else ""
        return f"{street} / {obj.name}" if street else obj.name


class ElderForm(InvalidFieldsMarked, forms.Form):
    """Register (with one emergency contact) or edit an elder. Every field is optional here so that
    the service, which knows the rules, reports each problem; except the household registration,
    economic status and living arrangement, which start empty and must be chosen (the service's
    defaults would record an answer nobody gave)."""

    name = forms.CharField(label=_("姓名"), required=False, max_length=100)
    national_id = forms.CharField(label=_("身份证号"), required=False, max_length=32)
    phone = forms.CharField(label=_("手机号"), required=False, max_length=20)
    community = CommunityChoiceField(
        label=_("社区"),
        queryset=Area.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=PLEASE_CHOOSE[1],
    )
    household_registration = forms.ChoiceField(
        label=_("户籍类型"),
        choices=must_choose(HouseholdRegistration.choices),
        error_messages={"required": _("请选择户籍类型")},
    )
    economic_status = forms.ChoiceField(
        label=_("经济状况"),
        choices=must_choose(EconomicStatus.choices),
        error_messages={"required": _("请选择经济状况")},
    )
    living_arrangement = forms.ChoiceField(
        label=_("居住状况"),
        choices=must_choose(LivingArrangement.choices),
        error_messages={"required": _("请选择居住状况")},
    )
    special_statuses = forms.MultipleChoiceField(
        label=_("特殊身份"), choices=SpecialStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    service_station = forms.ModelChoiceField(
        label=_("服务站点"),
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="—",
    )
    medical_institution = forms.ModelChoiceField(
        label=_("签约医疗机构"),
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="—",
    )
    monitoring_consent = forms.BooleanField(label=_("同意智能监测"), required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("紧急联系人"), required=False, max_length=100)
    contact_relation = forms.CharField(label=_("与老人关系"), required=False, max_length=32)
    contact_phone = forms.CharField(label=_("联系人电话"), required=False, max_length=20)

    CONTACT_FIELDS = ("contact_name", "contact_relation", "contact_phone")
    # Service field names that differ from this form's.
    FIELD_OF_ERROR = {
        "emergency_contacts[0].name": "contact_name",
        "emergency_contacts[0].relation": "contact_relation",
        "emergency_contacts[0].phone": "contact_phone",
        "birth_date": "national_id",
        "sex": "national_id",
    }

    def __init__(self, *args: Any, user: AnyUser, elder: Elder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.elder = elder
        orgs = organisations_in_reach(user=user)
        communities: QuerySet[Area] = communities_in_reach(user=user)
        stations = orgs.filter(kind__in=SERVICE_STATION_KINDS)
        medical = orgs.filter(kind__in=MEDICAL_KINDS)
        if elder is not None:
            # Keep the current values selectable even if this account could not pick them itself.
            communities = communities | Area.objects.filter(pk=elder.community_id)
            if elder.service_station_id:
                stations = stations | Organisation.objects.filter(pk=elder.service_station_id)
            if elder.medical_institution_id:
                medical = medical | Organisation.objects.filter(pk=elder.medical_institution_id)
            for name in self.CONTACT_FIELDS:
                del self.fields[name]
        cast(forms.ModelChoiceField, self.fields["community"]).queryset = communities.select_related("street").order_by(
            "code"
        )
        cast(forms.ModelChoiceField, self.fields["service_station"]).queryset = stations.order_by("name")
        cast(forms.ModelChoiceField, self.fields["medical_institution"]).queryset = medical.order_by("name")
        for name, field in self.fields.items():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-select"
            if isinstance(field, forms.CharField):
                css = "form-control"
            if name != "special_statuses":
                field.widget.attrs.setdefault("class", css)
        for name in ("name", "national_id", "community"):
            self.fields[name].widget.attrs["required"] = True

    def add_service_errors(self, errors: list[FieldError]) -> None:
        """Put each error of a ValidationFailed next to its input (or above the form). An input the
        form already rejected keeps the form's error: the service saw it empty, not as typed."""
        for error in errors:
            name = self.FIELD_OF_ERROR.get(error.field, error.field)
            if name in self.fields and name in self.errors:
                continue
            self.add_error(name if name in self.fields else None, error.reason)

    def form_errors(self) -> ErrorCollector:
        """The form's own errors (after `is_valid()`), for a service's `pre_errors`: a service given
        any of them reports its own problems with them and writes nothing."""
        collector = ErrorCollector()
        for name, reasons in self.errors.items():
            for reason in reasons:
                collector.add(name, str(reason), "form")
        return collector

    def elder_values(self) -> dict[str, Any]:
        """Cleaned values named as the services' ElderInput fields (contacts excluded). On an invalid
        form, the values that parsed, with a rejected name, ID or community as empty: enough for the
        service to check the rest in the same round."""
        values = {k: v for k, v in self.cleaned_data.items() if k not in self.CONTACT_FIELDS}
        for name, empty in (("name", ""), ("national_id", ""), ("community", None)):
            values.setdefault(name, empty)
        return values

    def contact_values(self) -> tuple[str, str, str]:
        """The emergency contact's name, relation and phone as given (empty when rejected)."""
        name, relation, phone = (self.cleaned_data.get(field) or "" for field in self.CONTACT_FIELDS)
        return name, relation, phone


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("花名册文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )


# The dated facts a change may set, as (field, value, what the option says); the roll status reads
# as the event it records (去世, 迁出, 恢复在册), not as the state's name.
STATUS_EVENT_LABELS = {
    ElderStatus.DECEASED: _("去世"),
    ElderStatus.MOVED_OUT: _("迁出"),
    ElderStatus.ACTIVE: _("恢复在册"),
}


def fact_change_choices(elder: Elder) -> list[tuple[Any, Any]]:
    """The changes offered, grouped by fact. Today's values stay offered, marked as current: a
    backdated change may set today's value from an earlier day (the service refuses a change that
    changes nothing on its day)."""

    def option(field: str, value: str, label: Any) -> tuple[str, Any]:
        if getattr(elder, field) == value:
            label = format_lazy("{}{}", label, _("（当前）"))
        return f"{field}:{value}", label

    return must_choose(
        [
            (_("经济状况"), [option("economic_status", v, label) for v, label in EconomicStatus.choices]),
            (
                _("户籍类型"),
                [option("household_registration", v, label) for v, label in HouseholdRegistration.choices],
            ),
            (_("在册状态"), [option("status", v, label) for v, label in STATUS_EVENT_LABELS.items()]),
        ]
    )


class FactChangeForm(InvalidFieldsMarked, forms.Form):
    """A dated change of economic status, household registration or roll status (death, moving out,
    back on the roll). The service checks the day (not in the future, not more than about three years
    back) and the value; its errors are put back next to the input."""

    change = forms.ChoiceField(label=_("变更事项"), error_messages={"required": _("请选择变更事项")})
    effective_on = forms.DateField(
        label=_("生效日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写生效日期"), "invalid": _("请填写有效的日期")},
    )
    basis = forms.CharField(
        label=_("依据"),
        required=False,
        max_length=300,
        help_text=_("如审批文号、死亡证明或迁出证明编号"),
        error_messages={"max_length": _("不能超过%(limit_value)d个字符")},
    )

    # Service field names that differ from this form's.
    FIELD_OF_ERROR = {"field": "change", "new_value": "change"}

    def __init__(self, *args: Any, elder: Elder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["change"]).choices = fact_change_choices(elder)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select" if name == "change" else "form-control")

    def fact(self) -> tuple[str, str]:
        """(field, new value) of the chosen change; ("", "") when none was chosen."""
        chosen = self.cleaned_data.get("change") or ":"
        field, value = chosen.split(":", 1)
        return field, value

    def form_errors(self) -> ErrorCollector:
        """The form's own errors (after `is_valid()`), for the service's `pre_errors`."""
        collector = ErrorCollector()
        for name, reasons in self.errors.items():
            for reason in reasons:
                collector.add(name, str(reason), "form")
        return collector

    def add_service_errors(self, errors: list[FieldError]) -> None:
        """Each service error next to its input; an input the form already rejected keeps its error."""
        for error in errors:
            name = self.FIELD_OF_ERROR.get(error.field, error.field)
            if name in self.fields and name in self.errors:
                continue
            self.add_error(name if name in self.fields else None, error.reason)
