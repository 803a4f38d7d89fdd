from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.areas.choices import AreaLevel
from yiyang.core.models import BaseModel


class Area(BaseModel):
    """An administrative area: district (区) → street (街道) → community (社区).

    `code` is the statistical division code (12 digits for a community, 9 for a street, 6 for a
    district). `district` and `street` are denormalised so that jurisdiction filters are one indexed
    equality, never a walk up the tree.
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    district = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所属区")
    )
    street = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所属街道")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="district", parent__isnull=True) | ~models.Q(level="district"),
                name="area_district_has_no_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(level="district") | models.Q(parent__isnull=False),
                name="area_non_district_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name
