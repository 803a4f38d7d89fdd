"""Reads of assessment records and policy versions. Every list starts from `assessments_in_reach`, so
the account's reach (its elders) and the family rule (confirmed results only) are never forgotten."""

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db.models import Case, CharField, Count, Exists, F, Min, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.assessments.choices import EDITABLE_STATUSES, FAMILY_SCALES, AssessmentStatus, DueReason, ScaleFamily
from yiyang.assessments.models import Assessment, PolicyVersion
from yiyang.assessments.record_settings import record_settings
from yiyang.core.errors import FieldError
from yiyang.elders.errors import ElderNotFound
from yiyang.elders.models import Elder
from yiyang.elders.selectors import elders_in_reach

# The assessor's and reviewer's organisation and area: pages name them as people with their place.
_RELATED = (
    "elder", "elder__community", "elder__street", "assessor", "assessor__organisation", "assessor__area",
    "reviewer", "reviewer__organisation", "reviewer__area", "policy", "supersedes",
)  # fmt: skip


def assessments_in_reach(*, user: AnyUser) -> QuerySet[Assessment]:
    """Assessments of the elders the account may see; none without `assessments.view`. A family
    member sees confirmed results only (drafts and records under review are staff work)."""
    if not has_perm(user, Perm.ASSESSMENTS_VIEW):
        return Assessment.objects.none()
    qs = Assessment.objects.filter(elder_id__in=elders_in_reach(user=user).values("pk"))
    if scope_for(user).kind is ScopeKind.FAMILY:
        qs = qs.filter(status=AssessmentStatus.CONFIRMED)
    return qs


def assessment_get(*, public_id: UUID) -> Assessment | None:
    """One assessment with its elder, people and policy loaded, or None. No scope check."""
    return (
        Assessment.objects.select_related(*_RELATED)
        .prefetch_related("superseded_by")
        .filter(public_id=public_id)
        .first()
    )


def _newer_confirmed_exists() -> Exists:
    """A confirmed record of the same elder and family that is newer, or a confirmed correction."""
    newer = Assessment.objects.filter(
        elder_id=OuterRef("elder_id"), family=OuterRef("family"), status=AssessmentStatus.CONFIRMED
    ).filter(
        Q(assessed_on__gt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk"))
        | Q(supersedes_id=OuterRef("pk"))
    )
    return Exists(newer)


def confirmed_current(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The confirmed records of `qs` not replaced by a newer confirmed record of the same family."""
    return qs.filter(status=AssessmentStatus.CONFIRMED).exclude(_newer_confirmed_exists())


@dataclass(frozen=True)
class AssessmentFilters:
    elder: UUID | None = None
    scale: str = ""
    status: str = ""
    # Only current confirmed records that lapse within the reminder window (or have lapsed).
    due: bool = False


def assessment_list(
    *, user: AnyUser, filters: AssessmentFilters | None = None, today: date | None = None
) -> QuerySet[Assessment]:
    """Assessments in reach matching the filters, newest assessment date first."""
    filters = filters or AssessmentFilters()
    qs = assessments_in_reach(user=user)
    if filters.elder:
        # An elder outside the reach answers 404 as their record does, not an empty list.
        elder = elders_in_reach(user=user).filter(public_id=filters.elder).first()
        if elder is None:
            reason = str(_("老年人不存在或不在您的辖区内"))
            raise ElderNotFound(reason, errors=[FieldError("elder", reason, "not_found")])
        qs = qs.filter(elder=elder)
    if filters.scale:
        qs = qs.filter(scale=filters.scale)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.due:
        horizon = (today or timezone.localdate()) + timedelta(days=record_settings().reminder_days)
        qs = confirmed_current(qs).filter(valid_until__lte=horizon)
    return qs.select_related(*_RELATED).order_by("-assessed_on", "-id")


def assessments_due(
    *, user: AnyUser, today: date | None = None, within_days: int | None = None, reason: str = "", q: str = ""
) -> QuerySet[Assessment]:
    """What needs an assessor's attention, in reach: current confirmed records whose validity ends
    within `within_days` (default: the reminder window of the record settings) or has ended, and
    records a reviewer returned. Each row is annotated with `due_reason` (DueReason); returned
    records come first, then by the date validity ends. `reason` keeps one DueReason (an unknown
    value is ignored) and `q` elders whose name starts with it."""
    today = today or timezone.localdate()
    days = record_settings().reminder_days if within_days is None else within_days
    horizon = today + timedelta(days=days)
    qs = assessments_in_reach(user=user)
    lapsing = Q(pk__in=confirmed_current(qs).filter(valid_until__lte=horizon).values("pk"))
    returned = Q(status=AssessmentStatus.RETURNED)
    rows = (
        qs.filter(lapsing | returned)
        .annotate(
            due_reason=Case(
                When(status=AssessmentStatus.RETURNED, then=Value(DueReason.RETURNED.value)),
                When(valid_until__lt=today, then=Value(DueReason.LAPSED.value)),
                default=Value(DueReason.LAPSING.value),
                output_field=CharField(),
            ),
            due_rank=Case(When(status=AssessmentStatus.RETURNED, then=Value(0)), default=Value(1)),
        )
        .select_related(*_RELATED)
        .order_by("due_rank", F("valid_until").asc(nulls_first=True), "id")
    )
    # Narrowing for the list page: one reason (a DueReason value) and the elder's name by prefix.
    if reason in DueReason.values:
        rows = rows.filter(due_reason=reason)
    if q.strip():
        rows = rows.filter(elder__name__startswith=q.strip())
    return rows


@dataclass(frozen=True)
class FamilyLevel:
    """The elder's standing in one family: the current record (confirmed, newest, still valid), or
    the newest record when it has lapsed, and every confirmed record newest first."""

    family: str
    current: Assessment | None
    lapsed: Assessment | None
    history: list[Assessment] = field(default_factory=list)


@dataclass(frozen=True)
class ElderLevels:
    ability: FamilyLevel
    long_term_care: FamilyLevel
    # Confirmed records of the other scales (Barthel, 自理能力, LTC self-assessment), newest first.
    others: list[Assessment] = field(default_factory=list)

    @property
    def has_any(self) -> bool:
        return bool(self.ability.history or self.long_term_care.history or self.others)


def _family_level(family: str, records: list[Assessment], today: date) -> FamilyLevel:
    history = [r for r in records if r.family == family]
    replaced = {r.supersedes_id for r in history if r.supersedes_id is not None}
    newest = next((r for r in history if r.pk not in replaced), None)
    if newest is None:
        return FamilyLevel(family, None, None, history)
    if newest.valid_until is not None and newest.valid_until < today:
        return FamilyLevel(family, None, newest, history)
    return FamilyLevel(family, newest, None, history)


def elder_current_levels(*, elder: Elder, today: date | None = None) -> ElderLevels:
    """The elder's current ability level (GB/T 42195, or a legacy MZ/T 039 record) and LTC grade.

    Derived from confirmed records only: the newest by assessment date (a correction replaces the
    record it supersedes) counts while its validity has not ended; an expired record no longer
    counts and is reported as `lapsed`. History lists every confirmed record of the family.
    """
    today = today or timezone.localdate()
    records = list(
        Assessment.objects.filter(elder=elder, status=AssessmentStatus.CONFIRMED)
        .select_related("elder", "assessor", "reviewer", "supersedes")
        .order_by("-assessed_on", "-confirmed_at", "-id")
    )
    families = set(FAMILY_SCALES)
    return ElderLevels(
        ability=_family_level(ScaleFamily.ABILITY, records, today),
        long_term_care=_family_level(ScaleFamily.LONG_TERM_CARE, records, today),
        others=[r for r in records if r.family not in families],
    )


def policy_versions_in_reach(*, user: AnyUser) -> QuerySet[PolicyVersion]:
    """Policy versions an account with `assessments.view` may read: those for every district and
    those of its own district."""
    if not has_perm(user, Perm.ASSESSMENTS_VIEW) and not has_perm(user, Perm.POLICY_MANAGE):
        return PolicyVersion.objects.none()
    scope = scope_for(user)
    qs = PolicyVersion.objects.select_related("loaded_by", "loaded_by__organisation", "loaded_by__area", "district")
    if scope.kind is ScopeKind.ALL:
        return qs
    if scope.district_id is None:
        return qs.filter(district__isnull=True)
    return qs.filter(Q(district__isnull=True) | Q(district_id=scope.district_id))


def policy_version_current(*, scale: str, district_id: int | None, on: date) -> PolicyVersion | None:
    """The policy version that applies to an assessment of `scale` in the district dated `on`: the
    one with the latest `effective_from` on or before that date (a district's own version before a
    general one loaded for the same date; the later load of two for the same date). None when only
    the shipped data applies."""
    return (
        PolicyVersion.objects.filter(scale=scale, effective_from__lte=on)
        .filter(Q(district__isnull=True) | Q(district_id=district_id))
        .order_by("-effective_from", F("district_id").desc(nulls_last=True), "-id")
        .first()
    )


def policy_versions_current_ids(*, district_id: int | None, on: date) -> set[int]:
    """Ids of the versions in force on `on` for the district, one per scale that has any."""
    scales = PolicyVersion.objects.values_list("scale", flat=True).distinct()
    found = set()
    for scale in scales:
        version = policy_version_current(scale=scale, district_id=district_id, on=on)
        if version is not None:
            found.add(version.pk)
    return found


def assessments_awaiting_review(*, user: AnyUser) -> QuerySet[Assessment]:
    """Submitted records in reach that wait for a reviewer, oldest submission first; none without
    `assessments.review`. The account's own records are left out: nobody reviews their own work."""
    if not has_perm(user, Perm.ASSESSMENTS_REVIEW):
        return Assessment.objects.none()
    return (
        assessments_in_reach(user=user)
        .filter(status=AssessmentStatus.SUBMITTED)
        .exclude(assessor_id=user.pk)
        .select_related(*_RELATED)
        .order_by("submitted_at", "id")
    )


def assessor_worklist(*, user: AnyUser) -> QuerySet[Assessment]:
    """The account's own records still to finish, in reach: returned ones first (a reviewer waits for
    them), then drafts, oldest first; none without `assessments.create`."""
    if not has_perm(user, Perm.ASSESSMENTS_CREATE):
        return Assessment.objects.none()
    return (
        assessments_in_reach(user=user)
        .filter(assessor_id=user.pk, status__in=EDITABLE_STATUSES)
        .annotate(work_rank=Case(When(status=AssessmentStatus.RETURNED, then=Value(0)), default=Value(1)))
        .select_related(*_RELATED)
        .order_by("work_rank", "assessed_on", "id")
    )


def assessments_due_counts(*, user: AnyUser, today: date | None = None) -> dict[str, int]:
    """How many rows `assessments_due` lists for the account, per DueReason (every reason present,
    0 when none): the figures of the due page, counted in one query."""
    today = today or timezone.localdate()
    returned = Q(status=AssessmentStatus.RETURNED)
    # The same cases, in the same order, as `due_reason` in `assessments_due`.
    totals = (
        assessments_due(user=user, today=today)
        .order_by()
        .aggregate(
            every=Count("pk"),
            returned=Count("pk", filter=returned),
            lapsed=Count("pk", filter=~returned & Q(valid_until__lt=today)),
        )
    )
    return {
        DueReason.LAPSED.value: totals["lapsed"],
        DueReason.LAPSING.value: totals["every"] - totals["returned"] - totals["lapsed"],
        DueReason.RETURNED.value: totals["returned"],
    }


def current_ability_levels(
    *, user: AnyUser, elders: Sequence[Elder], today: date | None = None
) -> dict[int, Assessment]:
    """Elder pk -> their current ability record (confirmed, not replaced, still valid on `today`) for
    those of `elders` in the account's reach; elders without one are absent. One query."""
    today = today or timezone.localdate()
    qs = confirmed_current(assessments_in_reach(user=user).filter(elder__in=[e.pk for e in elders]))
    qs = qs.filter(family=ScaleFamily.ABILITY).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return {record.elder_id: record for record in qs.order_by("assessed_on", "id")}


def ability_reassessments_due(
    *, user: AnyUser, today: date | None = None, within_days: int | None = None
) -> QuerySet[Assessment]:
    """The current ability records (confirmed, not replaced) in the account's reach whose validity has
    ended or ends within `within_days` of `today` (by default the local policy's reminder window,
    `record_settings().reminder_days`, as the staff due list uses): lapsed first, then by the day
    validity ends, with the elder and the elder's service station loaded. Records without an end date
    never appear."""
    today = today or timezone.localdate()
    days = record_settings().reminder_days if within_days is None else within_days
    horizon = today + timedelta(days=days)
    return (
        confirmed_current(assessments_in_reach(user=user))
        .filter(family=ScaleFamily.ABILITY, valid_until__lte=horizon)
        .select_related("elder", "elder__service_station")
        .order_by("valid_until", "elder__name", "id")
    )


# --- ability levels over time, in bulk (benefits payroll) ------------------------------------------

GBT42195 = "gbt42195-2022"


def ability_level_events(
    *, until: date, elder_district_id: int | None = None, elder_ids: Collection[int] | None = None
) -> Iterator[tuple[int, date, int | None, date | None]]:
    """(elder pk, assessed_on, level, valid_until) of confirmed GB/T 42195 records dated on or before
    `until`, not replaced by a correction, ordered by elder and day: from each record's day the elder's
    level is its level (until `valid_until`, when there is one)."""
    corrected = Assessment.objects.filter(supersedes_id=OuterRef("pk"), status=AssessmentStatus.CONFIRMED)
    qs = Assessment.objects.filter(
        scale=GBT42195, status=AssessmentStatus.CONFIRMED, assessed_on__lte=until, level__isnull=False
    ).exclude(Exists(corrected))
    if elder_district_id is not None:
        qs = qs.filter(elder__district_id=elder_district_id)
    if elder_ids is not None:
        qs = qs.filter(elder_id__in=list(elder_ids))
    return (
        qs.order_by("elder_id", "assessed_on", "id")
        .values_list("elder_id", "assessed_on", "level", "valid_until")
        .iterator(chunk_size=20_000)
    )


def ability_levels_changed_since(*, elder_district_id: int, recorded_after: datetime) -> dict[int, date]:
    """{elder pk: earliest assessed_on} of GB/T 42195 records confirmed after `recorded_after`."""
    rows = (
        Assessment.objects.filter(
            scale=GBT42195,
            status=AssessmentStatus.CONFIRMED,
            confirmed_at__gt=recorded_after,
            elder__district_id=elder_district_id,
        )
        .values("elder_id")
        .annotate(first=Min("assessed_on"))
        .values_list("elder_id", "first")
    )
    return dict(rows)
