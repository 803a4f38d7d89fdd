"""Input and output shapes of the organisation, bed and admission API. Meaning is checked by the services."""

from typing import Any

from rest_framework import serializers

from yiyang.accounts.api.disclosure import disclosure_in

# One schema component per shape: the reference shapes are shared with the elder API.
from yiyang.elders.api.serializers import AreaRefSerializer, OrgRefSerializer
from yiyang.organisations.choices import DischargeReason, OrganisationKind
from yiyang.organisations.models import Admission, Bed, Organisation
from yiyang.organisations.selectors import BedCounts


class BedCountsOutput(serializers.Serializer[Any]):
    """Beds by state; `total` excludes beds out of service; `rate` is occupied / total in %, null without beds."""

    total = serializers.IntegerField()
    occupied = serializers.IntegerField()
    reserved = serializers.IntegerField()
    free = serializers.IntegerField()
    unavailable = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class _WithBeds(serializers.ModelSerializer[Organisation]):
    id = serializers.UUIDField(source="public_id")
    area = AreaRefSerializer()
    street = AreaRefSerializer()
    beds = serializers.SerializerMethodField()

    def get_beds(self, obj: Organisation) -> dict[str, Any]:
        return dict(BedCountsOutput(BedCounts.of(obj)).data)


class OrganisationListOutput(_WithBeds):
    class Meta:
        model = Organisation
        fields = [
            "id", "kind", "name", "area", "street", "licence_number", "filing_number", "is_integrated_care",
            "hospital_grade", "ownership", "status", "beds",
        ]  # fmt: skip


class OrganisationDetailOutput(_WithBeds):
    district = AreaRefSerializer()

    class Meta:
        model = Organisation
        fields = [
            "id", "kind", "name", "area", "street", "district", "address", "latitude", "longitude",
            "licence_number", "filing_number", "credit_code", "ownership", "is_integrated_care",
            "hospital_grade", "contact_name", "contact_phone", "status", "beds", "created_at", "updated_at",
        ]  # fmt: skip


class OrganisationInputSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=32, help_text="机构类型：" + "、".join(OrganisationKind.values))
    name = serializers.CharField(allow_blank=True, max_length=200)
    area = serializers.UUIDField(help_text="所在区域的 id：照料中心为街道，其他机构为社区")
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    licence_number = serializers.CharField(required=False, allow_blank=True, max_length=64)
    filing_number = serializers.CharField(required=False, allow_blank=True, max_length=64)
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=18)
    ownership = serializers.CharField(max_length=32, required=False, allow_blank=True)
    is_integrated_care = serializers.BooleanField(required=False)
    hospital_grade = serializers.CharField(max_length=8, required=False, allow_blank=True, help_text="仅医院填写")
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    status = serializers.CharField(max_length=16, required=False)


class OrganisationFilterSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False)
    street = serializers.UUIDField(required=False)
    community = serializers.UUIDField(required=False)
    q = serializers.CharField(required=False, allow_blank=True, help_text="名称（包含）或证号、信用代码（前缀）")
    integrated = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="医养结合")


class BedOutput(serializers.ModelSerializer[Bed]):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Bed
        fields = ["id", "label", "building", "room", "number", "state", "note"]


class BedInputSerializer(serializers.Serializer[Any]):
    building = serializers.CharField(required=False, allow_blank=True, max_length=32)
    room = serializers.CharField(allow_blank=True, max_length=32)
    number = serializers.CharField(allow_blank=True, max_length=16)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class BedStateInputSerializer(serializers.Serializer[Any]):
    state = serializers.CharField(max_length=16, help_text="free、reserved 或 unavailable；占用只能通过办理入住")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class BedRefSerializer(serializers.ModelSerializer[Bed]):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Bed
        fields = ["id", "label"]


class AdmissionOutput(serializers.ModelSerializer[Admission]):
    """A stay; the resident's national ID is masked (PIPL)."""

    id = serializers.UUIDField(source="public_id")
    elder = serializers.SerializerMethodField()
    organisation = OrgRefSerializer()
    bed = BedRefSerializer()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Admission
        fields = [
            "id", "elder", "organisation", "bed", "admitted_on", "discharged_on", "discharge_reason", "note",
            "is_open",
        ]  # fmt: skip

    def get_elder(self, obj: Admission) -> dict[str, str]:
        listed = disclosure_in(self.context).listed
        return {
            "id": str(obj.elder.public_id),
            "name": listed.name(obj.elder.name),
            "national_id_masked": listed.national_id(obj.elder.national_id),
        }

    def get_is_open(self, obj: Admission) -> bool:
        return obj.discharged_on is None


class AdmissionInputSerializer(serializers.Serializer[Any]):
    bed = serializers.UUIDField(help_text="床位 id（须为空闲或预留）")
    elder = serializers.UUIDField(required=False, allow_null=True, help_text="老人 id；与身份证号二选一")
    elder_national_id = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="老人身份证号；与老人 id 二选一"
    )
    admitted_on = serializers.DateField(required=False, allow_null=True, help_text="默认今天")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class AdmissionFilterSerializer(serializers.Serializer[Any]):
    organisation = serializers.UUIDField(required=False)
    open = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="true：仍在住")


class DischargeInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=32,
        allow_blank=True,
        help_text="离院原因：" + "、".join(f"{c.value}（{c.label}）" for c in DischargeReason),
    )
    discharged_on = serializers.DateField(required=False, allow_null=True, help_text="默认今天")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class OccupancyRowOutput(BedCountsOutput):
    id = serializers.UUIDField()
    name = serializers.CharField()
    street_name = serializers.CharField()


class OrganisationOccupancyOutput(OccupancyRowOutput):
    kind = serializers.CharField()


class OccupancyOutput(serializers.Serializer[Any]):
    summary = BedCountsOutput()
    by_organisation = OrganisationOccupancyOutput(many=True)
    by_street = OccupancyRowOutput(many=True)
    by_community = OccupancyRowOutput(many=True)
