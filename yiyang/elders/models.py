from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.core.fields import BlindIndexedQuerySet, BlindIndexField, EncryptedTextField, with_blind_indexes
from yiyang.core.models import BaseModel
from yiyang.elders.choices import (
    EconomicStatus,
    ElderStatus,
    HouseholdRegistration,
    LivingArrangement,
    Sex,
)


class Home(BaseModel):
    """A dwelling: address and coordinates; elders and other members live in it."""

    address = models.CharField(_("地址"), max_length=300)
    community = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="homes", verbose_name=_("社区"))
    street = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    key_holder = models.CharField(_("钥匙保管人"), max_length=100, blank=True)

    class Meta:
        ordering = ["address"]
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")

    def __str__(self) -> str:
        return self.address


class HomeMember(BaseModel):
    """A person living in a home who is not a registered elder (spouse under 60, child, carer)."""

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="members", verbose_name=_("家庭"))
    name = models.CharField(_("姓名"), max_length=100)
    relation = models.CharField(_("关系"), max_length=32)
    phone = EncryptedTextField(_("电话"), max_length=20, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")

    def __str__(self) -> str:
        return self.name


class Elder(BaseModel):
    """An older person in the registry, identified by national ID (GB 11643-1999).

    `birth_date` and `sex` are always those the ID encodes (the register service derives them).
    `community`/`street`/`district` are where the elder is served; the last two are denormalised
    for one-column jurisdiction filters.
    """

    name = models.CharField(_("姓名"), max_length=100)
    national_id = EncryptedTextField(_("身份证号"), max_length=18)
    birth_date = models.DateField(_("出生日期"), db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    phone = EncryptedTextField(_("手机号"), max_length=20, blank=True)
    household_registration = models.CharField(
        _("户籍类型"), max_length=16, choices=HouseholdRegistration.choices, default=HouseholdRegistration.REGISTERED
    )
    economic_status = models.CharField(
        _("经济状况"), max_length=16, choices=EconomicStatus.choices, default=EconomicStatus.ORDINARY
    )
    special_statuses = models.JSONField(_("特殊身份"), default=list, blank=True)
    living_arrangement = models.CharField(
        _("居住状况"), max_length=16, choices=LivingArrangement.choices, default=LivingArrangement.WITH_FAMILY
    )
    home = models.ForeignKey(
        Home, on_delete=models.SET_NULL, null=True, blank=True, related_name="elders", verbose_name=_("家庭")
    )
    # Indexed by the (column, -id) and (column, filter) indexes in Meta, not by a plain FK index.
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="elders", verbose_name=_("社区"), db_index=False
    )
    street = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"), db_index=False
    )
    district = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"), db_index=False
    )
    service_station = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_elders",
        verbose_name=_("服务站点"),
    )
    medical_institution = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="medical_elders",
        verbose_name=_("签约医疗机构"),
    )
    monitoring_consent = models.BooleanField(_("同意智能监测"), default=False)
    monitoring_consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ElderStatus.choices, default=ElderStatus.ACTIVE)
    notes = EncryptedTextField(_("备注"), blank=True)
    # Keyed hashes of the encrypted national ID and phone for search (yiyang.core.crypto; ADR 0004):
    # the ID's address code (6), + birth year (10), + birth date (14) and the whole; the phone's first
    # 3 and 7 digits, last 4 and the whole.
    national_id_hash = BlindIndexField(source="national_id", purpose="elders.national_id", normaliser="national_id")
    national_id_p6 = BlindIndexField(
        source="national_id", purpose="elders.national_id", normaliser="national_id", length=6
    )
    national_id_p10 = BlindIndexField(
        source="national_id", purpose="elders.national_id", normaliser="national_id", length=10
    )
    national_id_p14 = BlindIndexField(
        source="national_id", purpose="elders.national_id", normaliser="national_id", length=14
    )
    phone_hash = BlindIndexField(source="phone", purpose="elders.phone", normaliser="phone")
    phone_p3 = BlindIndexField(source="phone", purpose="elders.phone", normaliser="phone", length=3)
    phone_p7 = BlindIndexField(source="phone", purpose="elders.phone", normaliser="phone", length=7)
    phone_s4 = BlindIndexField(source="phone", purpose="elders.phone", normaliser="phone", length=4, suffix=True)

    objects = BlindIndexedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("老年人")
        verbose_name_plural = _("老年人")
        constraints = [
            # On the keyed hash of the whole ID: two different IDs share a 64-bit hash with a chance of
            # about 3e-8 among 1,000,000 elders (ADR 0004); the services compare the decrypted values.
            models.UniqueConstraint(fields=["national_id_hash"], name="elder_national_id_hash_unique"),
        ]
        # Measured with bench/registry.py at 1,000,000 elders on PostgreSQL: every list answers a
        # count for its paginator, so the jurisdiction column leads each index and the prefix
        # indexes carry the jurisdiction columns (index-only counts).
        indexes = [
            # Prefix search (LIKE 'x%') on PostgreSQL needs the pattern operator class in a non-C locale.
            models.Index(
                fields=["name"],
                name="elder_name_prefix",
                opclasses=["varchar_pattern_ops"],
                include=["district", "street", "community"],
            ),
            # Search by keyed hash (the unique constraint above indexes the whole ID's hash).
            *(
                models.Index(fields=[token], name=f"elder_{token}", include=["district", "street", "community"])
                for token in (
                    "national_id_p6",
                    "national_id_p10",
                    "national_id_p14",
                    "phone_hash",
                    "phone_p3",
                    "phone_p7",
                    "phone_s4",
                )
            ),
            models.Index(fields=["street", "-id"], name="elder_street_recent", include=["district"]),
            models.Index(fields=["community", "-id"], name="elder_community_recent", include=["district", "street"]),
            models.Index(fields=["district", "-id"], name="elder_district_recent"),
            models.Index(fields=["district", "living_arrangement"], name="elder_district_living"),
            models.Index(fields=["street", "living_arrangement"], name="elder_street_living"),
            models.Index(fields=["district", "birth_date"], name="elder_district_birth"),
            models.Index(fields=["street", "birth_date"], name="elder_street_birth"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A save naming `national_id` or `phone` in `update_fields` also saves their blind indexes."""
        kwargs["update_fields"] = with_blind_indexes(type(self), kwargs.get("update_fields"))
        super().save(*args, **kwargs)


class EmergencyContact(BaseModel):
    elder = models.ForeignKey(
        Elder, on_delete=models.CASCADE, related_name="emergency_contacts", verbose_name=_("老年人")
    )
    name = models.CharField(_("姓名"), max_length=100)
    relation = models.CharField(_("关系"), max_length=32)
    phone = EncryptedTextField(_("电话"), max_length=20)
    priority = models.PositiveSmallIntegerField(_("顺序"), default=1)
    is_key_holder = models.BooleanField(_("持有钥匙"), default=False)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("紧急联系人")
        verbose_name_plural = _("紧急联系人")

    def __str__(self) -> str:
        return self.name


class HelperAssignment(BaseModel):
    """A helper (助老员) is responsible for an elder from `since` until `until` (open when null)."""

    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="helper_assignments")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helper_assignments")
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        ordering = ["-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "helper"], condition=models.Q(until__isnull=True), name="helper_assignment_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.helper_id}->{self.elder_id}"


class FamilyLink(BaseModel):
    """A family member's account linked to their elder; they see only linked elders."""

    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="family_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_links")
    relation = models.CharField(_("关系"), max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["elder", "user"], name="family_link_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}->{self.elder_id}"


class FactField(models.TextChoices):
    """The elder's facts whose change has a date that matters later (benefits are paid by them)."""

    ECONOMIC_STATUS = "economic_status", _("经济状况")
    HOUSEHOLD_REGISTRATION = "household_registration", _("户籍类型")
    STATUS = "status", _("状态")


class ElderFactChange(BaseModel):
    """One dated change of an elder's fact: from `effective_on` the fact is `new_value`.

    Rows are appended, never edited: a correction is a further change. `effective_on` may lie in the
    past (a backdated economic-status decision) and the recorder says so; whatever reads facts for a
    past day replays these rows, and `recorded_at` tells what was known when.
    """

    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="fact_changes", verbose_name=_("老年人"))
    field = models.CharField(_("事项"), max_length=32, choices=FactField.choices)
    old_value = models.CharField(_("变更前"), max_length=32)
    new_value = models.CharField(_("变更后"), max_length=32)
    effective_on = models.DateField(_("生效日期"))
    recorded_at = models.DateTimeField(_("登记时间"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    basis = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        ordering = ["elder_id", "effective_on", "recorded_at", "id"]
        verbose_name = _("老年人状况变更")
        verbose_name_plural = _("老年人状况变更")
        indexes = [models.Index(fields=["elder", "field", "effective_on"], name="elder_fact_change_lookup")]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.field} {self.old_value}->{self.new_value} @{self.effective_on}"
