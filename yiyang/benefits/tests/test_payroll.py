from datetime import date
from decimal import Decimal

import pytest

from yiyang.benefits.choices import EntitlementStatus, LineKind, StopReason
from yiyang.benefits.models import PayrollLine, PayrollRun
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.benefits.tests.payroll_world import BED, RESIDENT, confirmed_level, entitlement
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.core.testing import build_world
from yiyang.elders.services.facts import elder_fact_change

pytestmark = pytest.mark.django_db

OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
TODAY = date(2026, 12, 3)


@pytest.fixture
def world():
    world = build_world()
    resident = world.elders["resident0"]
    resident.economic_status = "dibao"
    resident.save()
    confirmed_level(resident, 2, date(2026, 1, 10), assessor=world.users["street0"], reviewer=world.users["medical0"])
    world.resident_entitlement = entitlement(world, RESIDENT, elder=resident, starts_on=date(2026, 1, 1))
    return world


def lines(run):
    return list(PayrollLine.objects.filter(run=run).order_by("id").values_list("kind", "for_month", "amount"))


def test_full_month_pays_the_matrix_value_with_its_explanation(world):
    run = payroll_compute(actor=world.users["bureau"], district=world.district, month=OCT, today=TODAY)
    # dibao × level 2 = 900.00 (example value) for all 31 days of October
    assert lines(run) == [(LineKind.REGULAR, OCT, Decimal("900.00"))]
    assert run.total == Decimal("900.00") and run.line_count == 1
    explanation = PayrollLine.objects.get(run=run).explanation
    assert explanation["segments"] == [
        {
            "from": "2026-10-01",
            "to": "2026-10-31",
            "days": 31,
            "economic_status": "dibao",
            "level": 2,
            "monthly": "900",
            "parameter": "benefits.resident_care_subsidy.monthly.dibao.level_2@2024-01-01|shipped",
        }
    ]
    used = run.parameters["benefits.resident_care_subsidy.monthly.dibao.level_2@2024-01-01|shipped"]
    assert (used["file"], used["status"], used["value"]) == ("benefits/resident_care_subsidy.yaml", "example", "900")


def test_a_locked_month_refuses_a_rerun_and_keeps_its_lines(world):
    run = payroll_compute(actor=world.users["bureau"], district=world.district, month=OCT, today=TODAY)
    payroll_lock(actor=world.users["bureau"], run=run)
    with pytest.raises(ValidationFailed) as refused:
        payroll_compute(actor=world.users["bureau"], district=world.district, month=OCT, today=TODAY)
    assert [(e.field, e.code) for e in refused.value.errors] == [("month", "locked")]
    assert lines(run) == [(LineKind.REGULAR, OCT, Decimal("900.00"))]


def test_a_backdated_economic_status_change_pays_arrears_in_the_next_payroll(world):
    bureau = world.users["bureau"]
    october = payroll_compute(actor=bureau, district=world.district, month=OCT, today=TODAY)
    payroll_lock(actor=bureau, run=october)
    # Recorded in November: the elder has been 特困 since 1 October (1,000.00 at level 2).
    elder_fact_change(
        actor=bureau,
        elder=world.elders["resident0"],
        field="economic_status",
        new_value="tekun",
        effective_on=OCT,
        today=TODAY,
    )
    november = payroll_compute(actor=bureau, district=world.district, month=NOV, today=TODAY)
    assert lines(november) == [
        (LineKind.REGULAR, NOV, Decimal("1000.00")),
        (LineKind.ARREARS, OCT, Decimal("100.00")),
    ]
    arrears = PayrollLine.objects.get(run=november, kind=LineKind.ARREARS).explanation
    assert (arrears["paid_before"], arrears["due_now"]) == ("900.00", "1000.00")
    payroll_lock(actor=bureau, run=november)
    # The correction is paid once: December finds nothing more to correct for October.
    december = payroll_compute(actor=bureau, district=world.district, month=DEC, today=TODAY)
    assert lines(december) == [(LineKind.REGULAR, DEC, Decimal("1000.00"))]


def test_a_backdated_change_to_a_lower_status_is_recovered(world):
    bureau = world.users["bureau"]
    payroll_lock(actor=bureau, run=payroll_compute(actor=bureau, district=world.district, month=OCT, today=TODAY))
    elder_fact_change(
        actor=bureau,
        elder=world.elders["resident0"],
        field="economic_status",
        new_value="ordinary",
        effective_on=date(2026, 10, 16),
        today=TODAY,
    )
    november = payroll_compute(actor=bureau, district=world.district, month=NOV, today=TODAY)
    # October again: 15 days × 900 + 16 days × 400 = 19,900 / 31 = 641.935… → 641.94; paid 900.00
    assert lines(november) == [
        (LineKind.REGULAR, NOV, Decimal("400.00")),
        (LineKind.RECOVERY, OCT, Decimal("-258.06")),
    ]


def test_death_mid_month_pro_rates_and_ends_the_entitlement_on_lock(world):
    bureau = world.users["bureau"]
    elder_fact_change(
        actor=bureau,
        elder=world.elders["resident0"],
        field="status",
        new_value="deceased",
        effective_on=date(2026, 11, 11),
        today=TODAY,
    )
    run = payroll_compute(actor=bureau, district=world.district, month=NOV, today=TODAY)
    # On the roll 1–10 November: 900 × 10 / 30 = 300.00
    assert lines(run) == [(LineKind.REGULAR, NOV, Decimal("300.00"))]
    world.resident_entitlement.refresh_from_db()
    assert world.resident_entitlement.status == EntitlementStatus.ACTIVE  # not before the lock
    payroll_lock(actor=bureau, run=run)
    world.resident_entitlement.refresh_from_db()
    assert (
        world.resident_entitlement.status,
        world.resident_entitlement.ends_on,
        world.resident_entitlement.stop_reason,
    ) == (
        EntitlementStatus.ENDED,
        date(2026, 11, 10),
        StopReason.DECEASED,
    )


def test_bed_operation_counts_nursing_and_other_bed_days(world):
    bureau = world.users["bureau"]
    entitlement(world, BED, organisation=world.orgs["institution0"], starts_on=date(2026, 1, 1))
    run = payroll_compute(actor=bureau, district=world.district, month=NOV, today=TODAY)
    bed_line = PayrollLine.objects.get(run=run, scheme=BED)
    # resident0 at level 2 (≥ 2: nursing) all 30 days: 30 × 1,200 / 365 = 98.630… → 98.63
    assert bed_line.amount == Decimal("98.63")
    assert (bed_line.explanation["nursing_bed_days"], bed_line.explanation["other_bed_days"]) == (30, 0)


def test_refusals_future_month_earlier_unlocked_and_without_the_right(world):
    bureau = world.users["bureau"]
    with pytest.raises(ValidationFailed) as future:
        payroll_compute(actor=bureau, district=world.district, month=date(2027, 1, 1), today=TODAY)
    assert future.value.errors[0].code == "future"
    payroll_compute(actor=bureau, district=world.district, month=OCT, today=TODAY)
    with pytest.raises(ValidationFailed) as earlier:
        payroll_compute(actor=bureau, district=world.district, month=NOV, today=TODAY)
    assert earlier.value.errors[0].code == "earlier_unlocked"
    with pytest.raises(Forbidden):
        payroll_compute(actor=world.users["street0"], district=world.district, month=OCT, today=TODAY)


def test_an_officer_of_another_district_may_not_compute_or_lock(world):
    from yiyang.accounts.models import User
    from yiyang.areas.models import Area

    other = Area.objects.create(code="350205", name="另一区", level="district")
    officer = User.objects.create_user(username="other_bureau", password="x", role="bureau_officer", area=other)
    with pytest.raises(Forbidden):
        payroll_compute(actor=officer, district=world.district, month=OCT, today=TODAY)
    run = payroll_compute(actor=world.users["bureau"], district=world.district, month=OCT, today=TODAY)
    with pytest.raises(Forbidden):
        payroll_lock(actor=officer, run=run)


def test_example_values_are_refused_outside_the_demo(world, settings):
    settings.BENEFITS_ALLOW_EXAMPLE_VALUES = False
    with pytest.raises(ValidationFailed) as refused:
        payroll_compute(actor=world.users["bureau"], district=world.district, month=OCT, today=TODAY)
    assert refused.value.errors[0].code == "example_values"
    assert "benefits.resident_care_subsidy.monthly.dibao.level_2" in refused.value.errors[0].reason
    assert not PayrollRun.objects.exists()
