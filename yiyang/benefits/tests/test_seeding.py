"""`yiyang seed_benefits` on a small demo district (after `seed` and `seed_assessments`), and the
fact-replay rule the seed's timeline relies on (a change after a month says what held in it)."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from yiyang.benefits.choices import (
    ApplicationStatus,
    Channel,
    EntitlementStatus,
    LineKind,
    PayrollStatus,
    Scheme,
    StopReason,
)
from yiyang.benefits.models import Application, Attachment, Budget, Entitlement, Instalment, PayrollLine, PayrollRun
from yiyang.benefits.rules import month_start
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.benefits.services.seeding import DEMO_CORPORATE_PREFIX, DEMO_PERSONAL_PREFIX, _month_back
from yiyang.benefits.tests.payroll_world import RESIDENT, confirmed_level, entitlement
from yiyang.core.testing import build_world
from yiyang.elders.services.facts import elder_fact_change

pytestmark = pytest.mark.django_db

ELDERS = 1000


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_benefits_builds_the_demo_once() -> None:
    """One seed (about 15 s) checked from every side, then a second run that adds nothing."""
    run("seed", "--elders", str(ELDERS))
    run("seed_assessments")
    output = run("seed_benefits")
    every_scheme_has_an_active_entitlement_and_payees_last_month(output)
    the_care_worker_awards_are_the_policy_reports_totals()
    five_locked_months_then_last_month_computed_with_totals_of_their_lines()
    applications_in_every_status_and_channel_with_attachments_and_demo_accounts()
    facts_that_stopped_end_their_entitlements_on_locking()
    a_second_run_does_nothing_with_if_empty_and_refuses_without()


def every_scheme_has_an_active_entitlement_and_payees_last_month(output: str) -> None:
    active = set(Entitlement.objects.filter(status=EntitlementStatus.ACTIVE).values_list("scheme", flat=True))
    assert active == set(Scheme.values)
    last = PayrollRun.objects.order_by("-month").first()
    assert last is not None
    assert set(PayrollLine.objects.filter(run=last).values_list("scheme", flat=True)) == set(Scheme.values)
    assert "完成：申请" in output


def the_care_worker_awards_are_the_policy_reports_totals() -> None:
    def awards(scheme: str) -> list[Decimal]:
        return sorted(Instalment.objects.filter(entitlement__scheme=scheme).values_list("amount", flat=True))

    assert Entitlement.objects.filter(scheme=Scheme.CARE_WORKER_ENTRY).count() == 2
    assert Entitlement.objects.filter(scheme=Scheme.CARE_WORKER_SERVICE).count() == 5
    assert awards(Scheme.CARE_WORKER_ENTRY) == [Decimal("6000.00")] * 2
    assert awards(Scheme.CARE_WORKER_SERVICE) == [Decimal("3000.00")] * 4 + [Decimal("12000.00")]
    assert sum(awards(Scheme.CARE_WORKER_ENTRY)) == Decimal("12000.00")
    assert sum(awards(Scheme.CARE_WORKER_SERVICE)) == Decimal("24000.00")


def five_locked_months_then_last_month_computed_with_totals_of_their_lines() -> None:
    last = _month_back(month_start(timezone.localdate()), 1)
    runs = list(PayrollRun.objects.order_by("month"))
    assert [r.month for r in runs] == [_month_back(last, n) for n in range(5, -1, -1)]
    assert [r.status for r in runs] == [PayrollStatus.LOCKED] * 5 + [PayrollStatus.COMPUTED]
    for r in runs:
        lines = PayrollLine.objects.filter(run=r)
        assert r.total == lines.aggregate(total=Sum("amount"))["total"]
        assert r.line_count == lines.count() > 0
    # Registered after the earlier months were locked: a backdated 低保 decision and a late death.
    corrections = PayrollLine.objects.filter(run=runs[-1], kind__in=[LineKind.ARREARS, LineKind.RECOVERY])
    kinds = set(corrections.values_list("kind", flat=True))
    assert kinds == {LineKind.ARREARS, LineKind.RECOVERY}
    assert all(m < last for m in corrections.values_list("for_month", flat=True))


def applications_in_every_status_and_channel_with_attachments_and_demo_accounts() -> None:
    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert set(Application.objects.values_list("channel", flat=True)) == set(Channel.values)
    refused = Application.objects.filter(status=ApplicationStatus.REFUSED)
    assert refused.exists() and not refused.filter(refusal_reason="").exists()
    assert not Application.objects.filter(attachments__isnull=True).exists()
    attachment = Attachment.objects.first()
    assert attachment is not None and bytes(attachment.content).startswith(b"%PDF-")
    assert attachment.size == len(bytes(attachment.content))
    for account in Application.objects.values_list("payee_account", flat=True):
        assert account.startswith((DEMO_PERSONAL_PREFIX, DEMO_CORPORATE_PREFIX)) and account.isdigit()
    decided = Application.objects.filter(status=ApplicationStatus.APPROVED)
    assert not decided.filter(decided_at__isnull=True).exists()
    assert all(a.street_reviewed_at < a.decided_at for a in decided)  # type: ignore[operator]
    assert Budget.objects.count() == len(Scheme.values)


def facts_that_stopped_end_their_entitlements_on_locking() -> None:
    reasons = set(
        Entitlement.objects.filter(scheme=Scheme.RESIDENT_CARE, status=EntitlementStatus.ENDED).values_list(
            "stop_reason", flat=True
        )
    )
    assert {StopReason.DECEASED, StopReason.MOVED_OUT} <= reasons
    assert Entitlement.objects.filter(stop_reason=StopReason.PAID_IN_FULL).exists()


def a_second_run_does_nothing_with_if_empty_and_refuses_without() -> None:
    counts = (Application.objects.count(), PayrollLine.objects.count())
    assert "未生成任何数据" in run("seed_benefits", "--if-empty")
    with pytest.raises(CommandError):
        run("seed_benefits")
    assert (Application.objects.count(), PayrollLine.objects.count()) == counts


def test_a_change_after_the_month_does_not_change_the_month() -> None:
    """A death on 5 November registered before October is computed: October is paid in full (the
    change's old value is what held in October, not the elder row's current value)."""
    world = build_world()
    resident = world.elders["resident0"]
    resident.economic_status = "dibao"
    resident.save()
    confirmed_level(resident, 2, date(2026, 1, 10), assessor=world.users["street0"], reviewer=world.users["medical0"])
    entitlement(world, RESIDENT, elder=resident, starts_on=date(2026, 1, 1))
    bureau, today = world.users["bureau"], date(2026, 12, 3)
    elder_fact_change(
        actor=bureau, elder=resident, field="status", new_value="deceased", effective_on=date(2026, 11, 5), today=today
    )
    october = payroll_compute(actor=bureau, district=world.district, month=date(2026, 10, 1), today=today)
    assert list(october.lines.values_list("amount", flat=True)) == [Decimal("900.00")]
    payroll_lock(actor=bureau, run=october)
    november = payroll_compute(actor=bureau, district=world.district, month=date(2026, 11, 1), today=today)
    # 4 days of 30 (1–4 November) at 900.00
    assert list(november.lines.values_list("kind", "amount")) == [(LineKind.REGULAR, Decimal("120.00"))]
    assert november.stops == {
        str(Entitlement.objects.get().pk): {
            "on": (date(2026, 11, 5) - timedelta(days=1)).isoformat(),
            "reason": "deceased",
        }
    }
