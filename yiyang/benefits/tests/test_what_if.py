"""What-if with exact amounts: the test world's resident0 (低保, level 2, in institution0 since 2025)
holds a resident-subsidy entitlement, and institution0 a bed-operation entitlement. Today is
2026-12-03, so the horizon is December 2026 to November 2027."""

from datetime import date
from decimal import Decimal

import pytest

from yiyang.audit.models import AuditEvent
from yiyang.benefits.models import PolicyFile
from yiyang.benefits.services.what_if import what_if_compute
from yiyang.benefits.tests.payroll_world import BED, RESIDENT, confirmed_level, entitlement
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.core.masking import mask_name
from yiyang.core.testing import build_world

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
DIBAO_2 = "benefits.resident_care_subsidy.monthly.dibao.level_2"
NURSING = "benefits.bed_operation_subsidy.per_bed_year.nursing"


@pytest.fixture
def world():
    world = build_world()
    resident = world.elders["resident0"]
    resident.economic_status = "dibao"
    resident.save()
    confirmed_level(resident, 2, date(2026, 1, 10), assessor=world.users["street0"], reviewer=world.users["medical0"])
    world.resident_entitlement = entitlement(world, RESIDENT, elder=resident, starts_on=date(2026, 1, 1))
    world.bed_entitlement = entitlement(world, BED, organisation=world.orgs["institution0"], starts_on=date(2026, 1, 1))
    return world


def run(world, path, start, value, actor="bureau"):
    return what_if_compute(
        actor=world.users[actor], district=world.district, path=path, start=start, value=value, today=TODAY
    )


def months(result):
    return [(m.month, m.baseline, m.draft, m.difference) for m in result.months]


def test_a_resident_matrix_value_from_mid_february_changes_the_cost_from_then_on(world):
    result = run(world, DIBAO_2, date(2027, 2, 15), "1240")
    # Resident: 900.00 a month; from 15 Feb 1,240.00: Feb = (14 × 900 + 14 × 1,240) / 28 = 1,070.00.
    # Bed (institution0, resident0 at level 2 = nursing, 1,200 a bed-year): days × 1,200 / 365.
    bed = {31: Decimal("101.92"), 30: Decimal("98.63"), 28: Decimal("92.05")}
    days = [31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30]
    expected = []
    for k, n in enumerate(days):
        month = date(2026 + (11 + k) // 12, (11 + k) % 12 + 1, 1)
        draft = Decimal("900.00") if k < 2 else Decimal("1070.00") if k == 2 else Decimal("1240.00")
        expected.append((month, Decimal("900.00") + bed[n], draft + bed[n], draft - Decimal("900.00")))
    assert months(result) == expected
    assert result.total_difference == Decimal("170.00") + 9 * Decimal("340.00") == Decimal("3230.00")
    assert (result.resident_count, result.bed_count, result.current_value) == (1, 1, Decimal("900"))
    [change] = result.changes
    assert (change.name, change.scheme, change.baseline, change.draft, change.difference) == (
        mask_name("resident0老人"),
        RESIDENT,
        Decimal("10800.00"),
        Decimal("14030.00"),
        Decimal("3230.00"),
    )
    assert (result.gainers, result.losers) == (1, 0)
    # The shipped resident matrix and the nursing level are example values; the bed amounts are not.
    assert len(result.example_paths) == 21
    assert "benefits.bed_operation_subsidy.nursing_from_level" in result.example_paths
    assert NURSING not in result.example_paths


def test_a_lower_bed_value_lists_the_institution_as_losing(world):
    result = run(world, NURSING, date(2027, 1, 1), "730")
    # January 2027: baseline 31 × 1,200 / 365 = 101.92; draft 31 × 730 / 365 = 62.00.
    assert months(result)[1] == (date(2027, 1, 1), Decimal("1001.92"), Decimal("962.00"), Decimal("-39.92"))
    assert months(result)[0][3] == Decimal("0.00")
    [change] = result.changes
    # January to November 2027: baseline 6 × 101.92 + 4 × 98.63 + 92.05 = 1,098.09 (rounded per month);
    # draft 334 days × 2.00 = 668.00. December (101.92) is the same under both.
    assert (change.name, change.scheme, change.subject_kind) == ("institution0机构", BED, "organisation")
    assert (change.baseline, change.draft) == (Decimal("1200.01"), Decimal("769.92"))
    assert change.difference == Decimal("-430.09") == result.total_difference
    assert result.losers == 1


def test_facts_of_today_are_held_for_the_later_months(world):
    # A level-3 assessment recorded for today: December pays 2 days at level 2 and 29 at level 3.
    confirmed_level(
        world.elders["resident0"], 3, TODAY, assessor=world.users["street0"], reviewer=world.users["medical0"]
    )
    result = run(world, "benefits.resident_care_subsidy.monthly.dibao.level_3", date(2027, 1, 1), "1300")
    december = result.months[0]
    # (2 × 900 + 29 × 1,100) / 31 = 1,087.10; the draft starts in January.
    assert (december.resident_baseline, december.resident_draft) == (Decimal("1087.10"), Decimal("1087.10"))
    later = {(m.resident_baseline, m.resident_draft) for m in result.months[1:]}
    assert later == {(Decimal("1100.00"), Decimal("1300.00"))}
    assert result.total_difference == Decimal("2200.00")


def test_a_one_off_parameter_changes_no_monthly_cost(world):
    result = run(world, "benefits.startup_subsidy.per_bed.own_building", date(2027, 1, 1), "5000")
    assert result.affects_monthly is False
    assert result.total_difference == Decimal("0.00") and result.changes == []


def test_nothing_is_saved_and_the_view_is_audited(world):
    result = run(world, DIBAO_2, date(2027, 2, 15), "1240")
    assert PolicyFile.objects.count() == 0
    event = AuditEvent.objects.get(entity_type="benefit_what_if")
    assert (event.action, event.district_id) == ("view", world.district.pk)
    assert event.record_ids == [result.changes[0].entitlement_id] == [str(world.resident_entitlement.public_id)]
    assert event.summary == (
        f"补贴政策试算：{DIBAO_2} 自 2027-02-15 起为 1240.00；12 个月差额 3230.00 元，增加 1 人/家，减少 0 人/家"
    )


def test_a_bad_draft_names_every_field(world):
    with pytest.raises(ValidationFailed) as refused:
        run(world, "benefits.nothing", None, "1.005")
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("path", "invalid_choice"),
        ("start", "required"),
        ("value", "invalid"),
    ]
    with pytest.raises(ValidationFailed) as refused:
        run(world, "benefits.bed_operation_subsidy.nursing_from_level", date(2027, 1, 1), "5")
    assert [(e.field, e.reason) for e in refused.value.errors] == [("value", "能力等级应为 0 至 4")]
    assert not AuditEvent.objects.filter(entity_type="benefit_what_if").exists()


def test_only_a_district_officer_with_the_right_runs_it(world):
    for actor in ("health_officer", "street0"):
        with pytest.raises(Forbidden):
            run(world, DIBAO_2, date(2027, 1, 1), "1000", actor=actor)
