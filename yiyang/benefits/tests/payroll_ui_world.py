"""A district with locked October and computed November payrolls holding every kind of line.

resident0 (street 1) and resident1 (street 2), both 低保 at level 2 (900.00 a month), have resident
subsidies since January. October is computed and locked (2 × 900.00). Then, recorded in November:
resident0 has been 特困 since 1 October (arrears 100.00) and resident1 普通 since 16 October (a
recovery of 258.06). institution0 has a start-up subsidy instalment of 3,000.00 due in November and
one of 1,500.00 due in December. November: 1,000.00 + 400.00 + 3,000.00 + 100.00 − 258.06.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.benefits.models import Instalment, PayrollRun
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.benefits.tests.payroll_world import RESIDENT, confirmed_level, entitlement
from yiyang.core.testing import PASSWORD, build_world, set_permissions
from yiyang.elders.services.facts import elder_fact_change

OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
TODAY = date(2026, 12, 3)
NOV_NET = Decimal("4241.94")
NOV_BANK = Decimal("4500.00")
NOV_RECOVERIES = Decimal("-258.06")


def payroll_ui_world() -> Any:
    world: Any = build_world()
    bureau = world.users["bureau"]
    for key in ("resident0", "resident1"):
        elder = world.elders[key]
        elder.economic_status = "dibao"
        elder.save()
        confirmed_level(elder, 2, date(2026, 1, 10), assessor=world.users["street0"], reviewer=world.users["medical0"])
        entitlement(world, RESIDENT, elder=elder, starts_on=date(2026, 1, 1))
    startup = entitlement(
        world, "startup_subsidy", organisation=world.orgs["institution0"], starts_on=date(2026, 11, 1)
    )
    Instalment.objects.create(
        entitlement=startup,
        sequence=1,
        due_month=NOV,
        amount=Decimal("3000.00"),
        explanation={"rule": "10 张 × 300 元/张"},
    )
    Instalment.objects.create(
        entitlement=startup, sequence=2, due_month=DEC, amount=Decimal("1500.00"), explanation={"rule": "第 2 期"}
    )
    world.october = payroll_compute(actor=bureau, district=world.district, month=OCT, today=TODAY)
    world.october = payroll_lock(actor=bureau, run=world.october)
    for key, status, on in (("resident0", "tekun", OCT), ("resident1", "ordinary", date(2026, 10, 16))):
        elder_fact_change(
            actor=bureau,
            elder=world.elders[key],
            field="economic_status",
            new_value=status,
            effective_on=on,
            today=TODAY,
        )
    world.november = payroll_compute(actor=bureau, district=world.district, month=NOV, today=TODAY)
    # Same district, without the payroll right (may read runs); without any benefits right.
    world.users["bureau_reader"] = set_permissions(
        User.objects.create_user(
            username="bureau_reader", password=PASSWORD, role=Role.BUREAU_OFFICER, area=world.district
        ),
        "benefits.view",
    )
    world.users["bureau_noright"] = set_permissions(
        User.objects.create_user(
            username="bureau_noright", password=PASSWORD, role=Role.BUREAU_OFFICER, area=world.district
        )
    )
    # Another district's officer, holding every right.
    other = Area.objects.create(code="350203", name="乙区", level="district")
    world.users["bureau_b"] = User.objects.create_user(
        username="bureau_b", password=PASSWORD, role=Role.BUREAU_OFFICER, area=other
    )
    world.other_district = other
    return world


def runs(world: Any) -> list[PayrollRun]:
    return [world.october, world.november]
