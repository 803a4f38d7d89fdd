"""Input and output shapes of the elder API. Validation of meaning lives in the services."""

from typing import Any

from rest_framework import serializers

from yiyang.core.masking import mask_national_id, mask_phone
from yiyang.elders.choices import AgeBand, EconomicStatus, ElderStatus
from yiyang.elders.models import Elder, EmergencyContact, Home
from yiyang.elders.selectors import SEARCH_HELP, age_on, search_refusal


class AreaRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    name = serializers.CharField()


class OrgRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.CharField()


class ElderListOutput(serializers.ModelSerializer[Elder]):
    """A list row: national ID and phone masked (PIPL)."""

    id = serializers.UUIDField(source="public_id")
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

    def get_national_id_masked(self, obj: Elder) -> str:
        return mask_national_id(obj.national_id)

    def get_phone_masked(self, obj: Elder) -> str:
        return mask_phone(obj.phone)

    def get_age(self, obj: Elder) -> int:
        return age_on(obj.birth_date, self.context["today"])


class ContactOutput(serializers.ModelSerializer[EmergencyContact]):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = EmergencyContact
        fields = ["id", "name", "relation", "phone", "priority", "is_key_holder"]


class ElderDetailOutput(serializers.ModelSerializer[Elder]):
    """The full record (unmasked); every read of it is audited by the view."""

    id = serializers.UUIDField(source="public_id")
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
            "monitoring_consent_at", "status", "notes", "emergency_contacts", "created_at", "updated_at",
        ]  # fmt: skip

    def get_home(self, obj: Elder) -> dict[str, Any] | None:
        if obj.home is None:
            return None
        return {"id": str(obj.home.public_id), "address": obj.home.address}


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
    sex = serializers.CharField(required=False, allow_blank=True, help_text="可选；M 或 F，须与身份证号一致")
    household_registration = serializers.CharField(required=False)
    economic_status = serializers.CharField(required=False)
    special_statuses = serializers.ListField(child=serializers.CharField(), required=False)
    living_arrangement = serializers.CharField(required=False)
    home = serializers.UUIDField(required=False, allow_null=True)
    service_station = serializers.UUIDField(required=False, allow_null=True)
    medical_institution = serializers.UUIDField(required=False, allow_null=True)
    monitoring_consent = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    emergency_contacts = ContactInputSerializer(many=True, required=False)


class ElderFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, help_text=str(SEARCH_HELP))
    street = serializers.UUIDField(required=False)
    community = serializers.UUIDField(required=False)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False)
    economic_status = serializers.ChoiceField(choices=EconomicStatus.choices, required=False)
    living_alone = serializers.BooleanField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=ElderStatus.choices, required=False)

    def validate_q(self, value: str) -> str:
        if refusal := search_refusal(value):
            raise serializers.ValidationError(refusal, code="search_length")
        return value


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
            {"id": str(m.public_id), "name": m.name, "relation": m.relation, "phone_masked": mask_phone(m.phone)}
            for m in obj.members.all()
        ]

    def get_elders(self, obj: Home) -> list[dict[str, Any]]:
        return [{"id": str(e.public_id), "name": e.name} for e in obj.elders.all()]
