"""Reads behind the benefits home cards and the elder profile's benefits section.

The reach rule is the applications' and entitlements' own (`selectors.applications_in_reach`,
`selectors.entitlements_in_reach`). Payroll runs are district
work: district accounts (and superusers) with `benefits.view` only. Each reader starts from these,
so a card never counts what its viewer could not open one by one.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, QuerySet, Sum

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.benefits.choices import ApplicationStatus, EntitlementStatus, PayrollStatus, Scheme, SubjectKind
from yiyang.benefits.models import Application, Entitlement, PayrollLine, PayrollRun
from yiyang.benefits.selectors import applications_in_reach, entitlements_in_reach
from yiyang.elders.models import Elder
from yiyang.organisations.choices import OrganisationKind


def reads_district_payroll(user: AnyUser) -> bool:
    """Whether the account reads district payrolls: `benefits.view` and a district (or whole) scope."""
    return has_perm(user, Perm.BENEFITS_VIEW) and scope_for(user).kind in (ScopeKind.ALL, ScopeKind.DISTRICT)


def latest_payroll_run(*, user: AnyUser) -> PayrollRun | None:
    """The newest month's run of the districts the account reads payrolls of (None if none)."""
    if not reads_district_payroll(user):
        return None
    scope = scope_for(user)
    runs = PayrollRun.objects.select_related("district")
    if scope.kind is ScopeKind.DISTRICT:
        runs = runs.filter(district_id=scope.area_id)
    return runs.order_by("-month", "district_id").first()


@dataclass(frozen=True)
class Queue:
    """Applications waiting at one step: how many, and since when the oldest waits."""

    count: int
    oldest: datetime | None


def _queue(qs: QuerySet[Application], status: str, since: str) -> Queue:
    row = qs.filter(status=status).aggregate(count=Count("pk"), oldest=Min(since))
    return Queue(count=row["count"], oldest=row["oldest"])


def district_decision_waiting(*, user: AnyUser) -> Queue:
    """Street-approved applications in reach waiting for the district's decision (not the account's
    own); nothing without `benefits.approve`."""
    if not has_perm(user, Perm.BENEFITS_APPROVE):
        return Queue(0, None)
    qs = applications_in_reach(user=user).exclude(applicant_id=user.pk)
    return _queue(qs, ApplicationStatus.STREET_APPROVED, "street_reviewed_at")


def street_review_waiting(*, user: AnyUser) -> Queue:
    """Submitted applications in reach waiting for the street review (not the account's own);
    nothing without `benefits.review`."""
    if not has_perm(user, Perm.BENEFITS_REVIEW):
        return Queue(0, None)
    qs = applications_in_reach(user=user).exclude(applicant_id=user.pk)
    return _queue(qs, ApplicationStatus.SUBMITTED, "submitted_at")


def pending_in_reach(*, user: AnyUser, status: str) -> int:
    """Applications in reach in a pending status (for the card's second figure)."""
    return applications_in_reach(user=user).filter(status=status).count()


@dataclass(frozen=True)
class Payment:
    month: date
    amount: Decimal
    lines: int
    locked: bool


@dataclass
class InstitutionBenefits:
    """An institution's own entitlements (active, by scheme), its residents' active resident
    subsidies, and the institution's last payment (a locked run) and the one computed after it."""

    active_by_scheme: list[tuple[Any, int]] = field(default_factory=list)  # (scheme label, count)
    active_total: int = 0
    residents_subsidised: int = 0
    last_paid: Payment | None = None
    computed: Payment | None = None


def _payment(lines: QuerySet[PayrollLine], status: str) -> Payment | None:
    row = (
        lines.filter(run__status=status)
        .values("run__month")
        .annotate(amount=Sum("amount"), lines=Count("pk"))
        .order_by("-run__month")
        .first()
    )
    if row is None:
        return None
    return Payment(row["run__month"], row["amount"], row["lines"], status == PayrollStatus.LOCKED)


def own_institution(*, user: AnyUser) -> int | None:
    """The pk of the institution an institution account works for, when it reads benefits."""
    scope = scope_for(user)
    if (
        not has_perm(user, Perm.BENEFITS_VIEW)
        or scope.kind is not ScopeKind.ORGANISATION
        or scope.organisation_kind != OrganisationKind.INSTITUTION
    ):
        return None
    return scope.organisation_id


def institution_benefits(*, user: AnyUser, organisation_id: int) -> InstitutionBenefits:
    """See `InstitutionBenefits`; payments are those paid to the institution itself (its own
    entitlements, not its workers' awards or its residents' subsidies)."""
    entitlements = entitlements_in_reach(user=user)
    own = entitlements.filter(organisation_id=organisation_id, status=EntitlementStatus.ACTIVE)
    by_scheme = dict(own.values("scheme").annotate(n=Count("pk")).values_list("scheme", "n"))
    order = list(Scheme.values)
    summary = InstitutionBenefits(
        active_by_scheme=[(Scheme(s).label, n) for s, n in sorted(by_scheme.items(), key=lambda i: order.index(i[0]))],
        active_total=sum(by_scheme.values()),
        residents_subsidised=entitlements.filter(
            scheme=Scheme.RESIDENT_CARE,
            status=EntitlementStatus.ACTIVE,
            elder__admissions__organisation_id=organisation_id,
            elder__admissions__discharged_on__isnull=True,
        )
        .values("pk")
        .distinct()
        .count(),
    )
    paid_to_institution = PayrollLine.objects.filter(
        entitlement__in=entitlements.filter(organisation_id=organisation_id, subject_kind=SubjectKind.ORGANISATION)
    )
    summary.last_paid = _payment(paid_to_institution, PayrollStatus.LOCKED)
    summary.computed = _payment(paid_to_institution, PayrollStatus.COMPUTED)
    return summary


@dataclass
class ElderBenefits:
    applications: list[Application]
    entitlements: list[Entitlement]
    payments: list[PayrollLine]


def elder_benefits(*, user: AnyUser, elder: Elder, payments: int = 6) -> ElderBenefits:
    """The elder's applications and entitlements in the viewer's reach (newest first) and the newest
    `payments` lines paid (or computed) on those entitlements."""
    applications = list(
        applications_in_reach(user=user)
        .filter(elder=elder)
        .order_by("-submitted_at", "-id")
        .select_related("applicant")
    )
    entitlements = list(entitlements_in_reach(user=user).filter(elder=elder).order_by("-starts_on", "-id"))
    lines = list(
        PayrollLine.objects.filter(entitlement__in=[e.pk for e in entitlements])
        .select_related("run")
        .order_by("-run__month", "-for_month", "-id")[:payments]
    )
    return ElderBenefits(applications=applications, entitlements=entitlements, payments=lines)
