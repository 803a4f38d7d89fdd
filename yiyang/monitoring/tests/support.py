"""Helpers for the rules-configuration tests (outside engine/, which tests the pure engine)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.audit.models import AuditEvent
from yiyang.core.testing import PASSWORD, World, national_id, set_permissions
from yiyang.elders.models import Elder
from yiyang.monitoring.engine.contract import Quality, Reading
from yiyang.monitoring.models import DistrictRuleOverride, DistrictRuleVersion, ElderMonitoringProfile

T0 = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
HR_140 = {"rules": {"hr_high": {"params": {"threshold": 140}}}}
_seq = [0]


def district_b(world: World) -> Area:
    """A second district with its own bureau officer (`bureau_b`) and one elder (`elder_b`)."""
    district = Area.objects.create(code="350203", name="乙区", level="district")
    street = Area.objects.create(code="350203001", name="乙街道", level="street", parent=district, district=district)
    community = Area.objects.create(
        code="350203001001", name="乙社区", level="community", parent=street, district=district, street=street
    )
    world.users["bureau_b"] = User.objects.create_user(
        username="bureau_b", password=PASSWORD, role=Role.BUREAU_OFFICER, area=district
    )
    world.elders["elder_b"] = Elder.objects.create(
        name="乙区老人",
        national_id=national_id(91, area="350203"),
        birth_date=datetime(1950, 3, 15, tzinfo=UTC).date(),
        sex="M",
        community=community,
        street=street,
        district=district,
    )
    return district


def rules_viewer(world: World) -> User:
    """Street 0 staff who may see monitoring rules and profiles but change neither."""
    account = User.objects.create_user(
        username="street0_rulesview", password=PASSWORD, role=Role.STREET_STAFF, area=world.streets[0]
    )
    set_permissions(account, "elders.view", "monitoring.rules.view")
    world.users["street0_rulesview"] = account
    return account


def counts() -> dict[str, int]:
    """Rows these services write, to assert that a refused call wrote nothing."""
    return {
        "overrides": DistrictRuleOverride.objects.count(),
        "versions": DistrictRuleVersion.objects.count(),
        "profiles": ElderMonitoringProfile.objects.count(),
        "profile_revisions": sum(ElderMonitoringProfile.objects.values_list("revision", flat=True)),
        "audit": AuditEvent.objects.filter(entity_type__in=["district_rules", "monitoring_profile"]).count(),
    }


def vital(elder: Any, code: str, value: float, minutes: float = 0) -> Reading:
    _seq[0] += 1
    when = T0 + timedelta(minutes=minutes)
    return Reading(f"cfg{_seq[0]}", 1, elder.pk, "vital", code, value, "", when, when, Quality())
