from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.core.models import BaseModel
from yiyang.organisations.choices import (
    BedState,
    DischargeReason,
    HospitalGrade,
    OrganisationKind,
    OrganisationStatus,
    Ownership,
)


class Organisation(BaseModel):
    """A node of the service network or a medical institution, placed in an area.

    `area` is the community (or, for street-level bodies, the street) where it sits; `street` and
    `district` are denormalised from it for one-column jurisdiction filters.
    """

    kind = models.CharField(_("类型"), max_length=32, choices=OrganisationKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=200)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="organisations", verbose_name=_("所在区域")
    )
    street = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    address = models.CharField(_("地址"), max_length=300, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    licence_number = models.CharField(_("许可/登记证号"), max_length=64, blank=True)
    filing_number = models.CharField(_("备案号"), max_length=64, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    ownership = models.CharField(_("性质"), max_length=32, choices=Ownership.choices, blank=True)
    is_integrated_care = models.BooleanField(_("医养结合"), default=False)
    hospital_grade = models.CharField(_("医院等级"), max_length=8, choices=HospitalGrade.choices, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OrganisationStatus.choices, default=OrganisationStatus.OPEN
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [models.UniqueConstraint(fields=["kind", "name", "district"], name="organisation_unique_name")]

    def __str__(self) -> str:
        return self.name


class Bed(BaseModel):
    """One bed of an institution; its state changes only through the bed and admission services."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="beds", verbose_name=_("机构")
    )
    building = models.CharField(_("楼栋"), max_length=32, blank=True)
    room = models.CharField(_("房间"), max_length=32)
    number = models.CharField(_("床号"), max_length=16)
    state = models.CharField(_("状态"), max_length=16, choices=BedState.choices, default=BedState.FREE, db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["organisation", "building", "room", "number"]
        verbose_name = _("床位")
        verbose_name_plural = _("床位")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "building", "room", "number"], name="bed_unique_label")
        ]

    def __str__(self) -> str:
        return f"{self.building}{self.room}-{self.number}"

    @property
    def label(self) -> str:
        return "-".join(part for part in (self.building, self.room, self.number) if part)


class Admission(BaseModel):
    """An elder's stay in an institution bed, from admission to discharge.

    The database guarantees one open stay per elder and one open stay per bed.
    """

    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, related_name="admissions", verbose_name=_("老年人")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("机构")
    )
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("床位"))
    admitted_on = models.DateField(_("入住日期"))
    discharged_on = models.DateField(_("离院日期"), null=True, blank=True)
    discharge_reason = models.CharField(_("离院原因"), max_length=16, choices=DischargeReason.choices, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["-admitted_on", "-id"]
        verbose_name = _("入住记录")
        verbose_name_plural = _("入住记录")
        constraints = [
            models.UniqueConstraint(
                fields=["elder"], condition=models.Q(discharged_on__isnull=True), name="admission_one_open_per_elder"
            ),
            models.UniqueConstraint(
                fields=["bed"], condition=models.Q(discharged_on__isnull=True), name="admission_one_open_per_bed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder_id}@{self.organisation_id}"
