"""Input and output shapes of the elder API. Validation of meaning lives in the services."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from yiyang.accounts.api.disclosure import disclosure_in
from yiyang.accounts.disclosure import Disclosure
from yiyang.accounts.selectors import person_label
from yiyang.core.api import TEXT_MAX_CHARS
from yiyang.elders.choices import AgeBand, EconomicStatus, ElderStatus
from yiyang.elders.models import Elder, ElderFactChange, EmergencyContact, FactField, Home
from yiyang.elders.selectors import SEARCH_HELP, age_on, fact_value_label, search_refusal


class AreaRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    name = serializers.CharField()


class OrgRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.CharField()


class ElderListOutput(serializers.ModelSerializer[Elder]):
    """A list row: national ID and phone masked (PIPL), the name as the viewer's role policy
    shows it (`accounts.disclosure`, the same as the list page)."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.SerializerMethodField()
    national_id_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()
    community = AreaRefSerializer()
    street = AreaRefSerializer()

    class Meta:
        model = Elder
        fields = [
            "id", "name", "national_id_masked", "phone_masked", "sex", "birth_date", "age",
            "household_registration", "economic_status", "living_arrangement", "status", "community", "street",
        ]  # fmt: skip

    def get_name(self, obj: Elder) -> str:
        return _disclosure(self.context).listed.name(obj.name)

    def get_national_id_masked(self, obj: Elder) -> str:
        return _disclosure(self.context).listed.national_id(obj.national_id)

    def get_phone_masked(self, obj: Elder) -> str:
        return _disclosure(self.context).listed.phone(obj.phone)

    def get_age(self, obj: Elder) -> int:
        return age_on(obj.birth_date, self.context["today"])


def _disclosure(context: Mapping[str, Any]) -> Disclosure:
    """The viewer's disclosure policy, which the view puts in the context; masked when it did not."""
    return disclosure_in(context)


class ContactOutput(serializers.ModelSerializer[EmergencyContact]):
    """An emergency contact; the phone in full only where the viewer's role policy discloses it."""

    id = serializers.UUIDField(source="public_id")
    phone = serializers.SerializerMethodField()

    class Meta:
        model = EmergencyContact
        fields = ["id", "name", "relation", "phone", "priority", "is_key_holder"]

    def get_phone(self, obj: EmergencyContact) -> str:
        return _disclosure(self.context).contact_phone(obj.phone)


class ElderDetailOutput(serializers.ModelSerializer[Elder]):
    """The record, with national ID, phone, contacts' phones, address and notes in full as far as the
    viewer's role policy (`accounts.disclosure`) discloses them; `masked` lists what was masked or
    withheld. Every read of it is audited by the view."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.SerializerMethodField()
    national_id = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    masked = serializers.SerializerMethodField()
    community = AreaRefSerializer()
    street = AreaRefSerializer()
    district = AreaRefSerializer()
    home = serializers.SerializerMethodField()
    service_station = OrgRefSerializer(allow_null=True)
    medical_institution = OrgRefSerializer(allow_null=True)
    emergency_contacts = ContactOutput(many=True)

    class Meta:
        model = Elder
        fields = [
            "id", "name", "national_id", "phone", "sex", "birth_date", "household_registration",
            "economic_status", "special_statuses", "living_arrangement", "home", "community", "street",
            "district", "service_station", "medical_institution", "monitoring_consent",
            "monitoring_consent_at", "status", "notes", "emergency_contacts", "created_at", "updated_at", "masked",
        ]  # fmt: skip

    def get_name(self, obj: Elder) -> str:
        return _disclosure(self.context).name(obj.name)

    def get_national_id(self, obj: Elder) -> str:
        return _disclosure(self.context).national_id(obj.national_id)

    def get_phone(self, obj: Elder) -> str:
        return _disclosure(self.context).phone(obj.phone)

    def get_notes(self, obj: Elder) -> str:
        return _disclosure(self.context).notes(obj.notes)

    def get_masked(self, obj: Elder) -> list[str]:
        return _disclosure(self.context).masked

    def get_home(self, obj: Elder) -> dict[str, Any] | None:
        if obj.home is None:
            return None
        return {"id": str(obj.home.public_id), "address": _disclosure(self.context).address(obj.home.address)}


class ContactInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(allow_blank=True, max_length=100)
    relation = serializers.CharField(allow_blank=True, max_length=32)
    phone = serializers.CharField(allow_blank=True, max_length=20)
    is_key_holder = serializers.BooleanField(default=False)


class ElderInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(allow_blank=True, max_length=100)
    national_id = serializers.CharField(allow_blank=True, max_length=32)
    community = serializers.UUIDField(help_text="社区的 id（区域 API 中 level=community）")
    phone = serializers.CharField(allow_blank=True, required=False, max_length=20)
    birth_date = serializers.DateField(required=False, help_text="可选；若填写须与身份证号一致")
    sex = serializers.CharField(
        max_length=1, required=False, allow_blank=True, help_text="可选；M 或 F，须与身份证号一致"
    )
    household_registration = serializers.CharField(max_length=16, required=False)
    economic_status = serializers.CharField(max_length=16, required=False)
    special_statuses = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    living_arrangement = serializers.CharField(max_length=16, required=False)
    home = serializers.UUIDField(required=False, allow_null=True)
    service_station = serializers.UUIDField(required=False, allow_null=True)
    medical_institution = serializers.UUIDField(required=False, allow_null=True)
    monitoring_consent = serializers.BooleanField(required=False)
    notes = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True)
    emergency_contacts = ContactInputSerializer(many=True, required=False)


class ElderFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, help_text=str(SEARCH_HELP))
    street = serializers.UUIDField(required=False, help_text="街道的 id；不在辖区内时返回 404")
    community = serializers.UUIDField(required=False, help_text="社区的 id；不在辖区内时返回 404")
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False)
    economic_status = serializers.ChoiceField(choices=EconomicStatus.choices, required=False)
    living_alone = serializers.BooleanField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=ElderStatus.choices, required=False)

    def validate_q(self, value: str) -> str:
        if refusal := search_refusal(value):
            raise serializers.ValidationError(refusal, code="search_length")
        return value


class HomeFilterSerializer(serializers.Serializer[Any]):
    street = serializers.UUIDField(required=False, help_text="街道的 id；不在辖区内时返回 404")
    community = serializers.UUIDField(required=False, help_text="社区的 id；不在辖区内时返回 404")


class HomeOutput(serializers.ModelSerializer[Home]):
    id = serializers.UUIDField(source="public_id")
    community = AreaRefSerializer()
    members = serializers.SerializerMethodField()
    elders = serializers.SerializerMethodField()

    class Meta:
        model = Home
        fields = ["id", "address", "community", "latitude", "longitude", "key_holder", "members", "elders"]

    def get_members(self, obj: Home) -> list[dict[str, Any]]:
        return [
            {
                "id": str(m.public_id),
                "name": m.name,
                "relation": m.relation,
                "phone_masked": _disclosure(self.context).listed.member_phone(m.phone),
            }
            for m in obj.members.all()
        ]

    def get_elders(self, obj: Home) -> list[dict[str, Any]]:
        listed = _disclosure(self.context).listed
        return [{"id": str(e.public_id), "name": listed.name(e.name)} for e in obj.elders.all()]


class FactChangeInputSerializer(serializers.Serializer[Any]):
    """A dated change of economic status, household registration or status (on the roll, deceased,
    moved out). The service checks the field, the value and the date and reports every problem."""

    field = serializers.CharField(max_length=32, help_text="economic_status、household_registration 或 status")
    new_value = serializers.CharField(max_length=32, allow_blank=True, help_text="该事项的选项值")
    effective_on = serializers.DateField(help_text="生效日期：不晚于今天，不早于约三年前")
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text="依据（如审批文号）")


class FactChangeOutput(serializers.ModelSerializer[ElderFactChange]):
    """One dated change, with the readable names of the field and values and who recorded it."""

    id = serializers.UUIDField(source="public_id")
    field_label = serializers.SerializerMethodField()
    old_value_label = serializers.SerializerMethodField()
    new_value_label = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = ElderFactChange
        fields = [
            "id", "field", "field_label", "old_value", "old_value_label", "new_value", "new_value_label",
            "effective_on", "recorded_at", "recorded_by", "basis",
        ]  # fmt: skip

    def get_field_label(self, obj: ElderFactChange) -> str:
        return str(FactField(obj.field).label)

    def get_old_value_label(self, obj: ElderFactChange) -> str:
        return fact_value_label(obj.field, obj.old_value)

    def get_new_value_label(self, obj: ElderFactChange) -> str:
        return fact_value_label(obj.field, obj.new_value)

    def get_recorded_by(self, obj: ElderFactChange) -> str:
        return person_label(obj.recorded_by)
