"""Reads of organisations, beds and admissions, always starting from what the account may see.

Every list and every count begins at `organisations_in_reach`, so a figure never includes a bed or a
stay the account could not open one by one.
"""

from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.access import access_area_filter
from yiyang.areas.choices import AreaLevel
from yiyang.core.errors import FieldError
from yiyang.organisations.choices import BED_KINDS, BedState, OrganisationKind, OrganisationStatus
from yiyang.organisations.errors import OrganisationNotFound
from yiyang.organisations.models import Admission, Bed, Organisation

IN_SERVICE_STATES = (BedState.FREE, BedState.RESERVED, BedState.OCCUPIED)


def organisations_in_reach(*, user: AnyUser) -> QuerySet[Organisation]:
    """Organisations in the account's area; an institution or medical account sees its own only."""
    if not has_perm(user, Perm.ORGS_VIEW):
        return Organisation.objects.none()
    scope = scope_for(user)
    if scope.kind is ScopeKind.ALL:
        return Organisation.objects.all()
    if scope.is_area:
        return Organisation.objects.filter(scope.area_q(community="area"))
    if scope.kind is ScopeKind.ORGANISATION and scope.organisation_id is not None:
        return Organisation.objects.filter(pk=scope.organisation_id)
    return Organisation.objects.none()


def beds_in_reach(*, user: AnyUser) -> QuerySet[Bed]:
    """Beds of the organisations in reach."""
    return Bed.objects.filter(organisation__in=organisations_in_reach(user=user))


def admissions_in_reach(*, user: AnyUser) -> QuerySet[Admission]:
    """Stays in the organisations in reach. They name residents, so `elders.view` is needed as well."""
    if not has_perm(user, Perm.ELDERS_VIEW):
        return Admission.objects.none()
    return Admission.objects.filter(organisation__in=organisations_in_reach(user=user))


def _rate(occupied: int, total: int) -> float | None:
    return round(100.0 * occupied / total, 1) if total else None


def bed_counts(path: str = "") -> dict[str, Count]:
    """Aggregates counting beds by state; `path` leads from the queried model to its beds ("beds")."""
    prefix = f"{path}__" if path else ""
    key = f"{prefix}id"
    return {
        "beds_total": Count(key, filter=Q(**{f"{prefix}state__in": IN_SERVICE_STATES})),
        "beds_occupied": Count(key, filter=Q(**{f"{prefix}state": BedState.OCCUPIED})),
        "beds_reserved": Count(key, filter=Q(**{f"{prefix}state": BedState.RESERVED})),
        "beds_free": Count(key, filter=Q(**{f"{prefix}state": BedState.FREE})),
        "beds_unavailable": Count(key, filter=Q(**{f"{prefix}state": BedState.UNAVAILABLE})),
    }


@dataclass(frozen=True, kw_only=True)
class BedCounts:
    """Beds by state. `total` counts beds in service (not `unavailable`); `rate` is occupied/total in %."""

    total: int
    occupied: int
    reserved: int
    free: int
    unavailable: int

    @property
    def rate(self) -> float | None:
        return _rate(self.occupied, self.total)

    @classmethod
    def of(cls, row: object) -> "BedCounts":
        """Counts from an annotated row (a model instance or a `values()` dict)."""
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return cls(
            total=int(get("beds_total") or 0),
            occupied=int(get("beds_occupied") or 0),
            reserved=int(get("beds_reserved") or 0),
            free=int(get("beds_free") or 0),
            unavailable=int(get("beds_unavailable") or 0),
        )


@dataclass(frozen=True, kw_only=True)
class OccupancyRow(BedCounts):
    """Occupancy of one organisation or one area; `street_name` is the street it lies in."""

    id: UUID
    name: str
    street_name: str = ""
    kind: str = ""


@dataclass(frozen=True, kw_only=True)
class AreaOccupancy:
    streets: list[OccupancyRow]
    communities: list[OccupancyRow]


def occupancy_summary(*, user: AnyUser) -> dict[str, object]:
    """Beds in reach by state, and the occupancy rate (occupied / beds not out of service)."""
    counts = BedCounts.of(beds_in_reach(user=user).aggregate(**bed_counts()))
    return {
        "total": counts.total,
        "occupied": counts.occupied,
        "reserved": counts.reserved,
        "free": counts.free,
        "unavailable": counts.unavailable,
        "rate": counts.rate,
    }


def occupancy_by_organisation(*, user: AnyUser) -> list[OccupancyRow]:
    """One row per bed-keeping organisation in reach (even one without beds), by street then name."""
    orgs = (
        organisations_in_reach(user=user)
        .filter(kind__in=BED_KINDS)
        .select_related("street")
        .annotate(**bed_counts("beds"))
        .order_by("street__code", "name")
    )
    return [
        OccupancyRow(
            id=org.public_id, name=org.name, street_name=org.street.name, kind=org.kind, **asdict(BedCounts.of(org))
        )
        for org in orgs
    ]


def occupancy_by_area(*, user: AnyUser) -> AreaOccupancy:
    """Beds in reach summed per street and per community (street-level bodies count for their street
    only). Areas without beds in reach do not appear."""
    beds = beds_in_reach(user=user)
    streets = (
        beds.values("organisation__street__public_id", "organisation__street__name", "organisation__street__code")
        .annotate(**bed_counts())
        .order_by("organisation__street__code")
    )
    communities = (
        beds.filter(organisation__area__level=AreaLevel.COMMUNITY)
        .values(
            "organisation__area__public_id",
            "organisation__area__name",
            "organisation__area__code",
            "organisation__street__name",
        )
        .annotate(**bed_counts())
        .order_by("organisation__area__code")
    )
    return AreaOccupancy(
        streets=[
            OccupancyRow(
                id=row["organisation__street__public_id"],
                name=row["organisation__street__name"],
                street_name=row["organisation__street__name"],
                **asdict(BedCounts.of(row)),
            )
            for row in streets
        ],
        communities=[
            OccupancyRow(
                id=row["organisation__area__public_id"],
                name=row["organisation__area__name"],
                street_name=row["organisation__street__name"],
                **asdict(BedCounts.of(row)),
            )
            for row in communities
        ],
    )


@dataclass(frozen=True)
class OrganisationFilters:
    kind: str = ""
    street: UUID | None = None
    community: UUID | None = None
    q: str = ""
    integrated: bool | None = None


def organisation_search_q(text: str) -> Q:
    """Name anywhere in it; licence, filing or credit code by prefix."""
    text = text.strip()
    if not text:
        return Q()
    return (
        Q(name__icontains=text)
        | Q(licence_number__startswith=text)
        | Q(filing_number__startswith=text)
        | Q(credit_code__startswith=text.upper())
    )


def organisation_list(*, user: AnyUser, filters: OrganisationFilters | None = None) -> QuerySet[Organisation]:
    """Organisations in reach matching the filters, by kind then name, each annotated with
    `beds_total`, `beds_occupied`, `beds_reserved`, `beds_free` and `beds_unavailable`."""
    filters = filters or OrganisationFilters()
    qs = organisations_in_reach(user=user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.street:
        qs = qs.filter(
            street=access_area_filter(user=user, public_id=filters.street, field="street", level=AreaLevel.STREET)
        )
    if filters.community:
        area = access_area_filter(user=user, public_id=filters.community, field="community", level=AreaLevel.COMMUNITY)
        qs = qs.filter(area=area)
    if filters.q:
        qs = qs.filter(organisation_search_q(filters.q))
    if filters.integrated is not None:
        qs = qs.filter(is_integrated_care=filters.integrated)
    return qs.select_related("area", "street").annotate(**bed_counts("beds")).order_by("kind", "name", "id")


def organisation_get(*, public_id: UUID) -> Organisation | None:
    """One organisation with its areas and bed counts, or None. No scope check."""
    return (
        Organisation.objects.select_related("area", "street", "district")
        .annotate(**bed_counts("beds"))
        .filter(public_id=public_id)
        .first()
    )


@dataclass(frozen=True)
class BedFilters:
    """`q` matches the room, the bed number or the whole label (楼栋-房间-床号) by prefix;
    `state` and `building` match exactly."""

    q: str = ""
    state: str = ""
    building: str = ""


def _label_q(text: str, prefix: str = "") -> Q:
    """Room or bed number by prefix, or the label "building-room-number" from its start."""
    parts = [part for part in text.split("-") if part]
    query = Q(**{f"{prefix}room__istartswith": text}) | Q(**{f"{prefix}number__istartswith": text})
    if len(parts) >= 2:
        # "A-101" or "A-101-2": the building, the room and, if given, the number's start.
        head = Q(**{f"{prefix}building__iexact": parts[0], f"{prefix}room__istartswith": parts[1]})
        if len(parts) >= 3:
            head = Q(
                **{
                    f"{prefix}building__iexact": parts[0],
                    f"{prefix}room__iexact": parts[1],
                    f"{prefix}number__istartswith": parts[2],
                }
            )
        # A label without building is "room-number".
        no_building = Q(
            **{f"{prefix}building": "", f"{prefix}room__iexact": parts[0], f"{prefix}number__istartswith": parts[1]}
        )
        query |= head | no_building
    return query


def bed_list(*, organisation: Organisation, filters: BedFilters | None = None) -> QuerySet[Bed]:
    """The organisation's beds matching the filters, in label order (the caller has accessed the
    organisation)."""
    filters = filters or BedFilters()
    qs = Bed.objects.filter(organisation=organisation)
    if filters.q.strip():
        qs = qs.filter(_label_q(filters.q.strip()))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.building:
        qs = qs.filter(building=filters.building)
    return qs.order_by("building", "room", "number", "id")


def bed_buildings(*, organisation: Organisation) -> list[str]:
    """The organisation's distinct non-empty building names, sorted (for a filter's choices)."""
    return list(
        Bed.objects.filter(organisation=organisation)
        .exclude(building="")
        .order_by("building")
        .values_list("building", flat=True)
        .distinct()
    )


def admittable_beds(*, organisation: Organisation) -> QuerySet[Bed]:
    """The organisation's free or reserved beds in label order: where an elder can be admitted."""
    return bed_list(organisation=organisation).filter(state__in=(BedState.FREE, BedState.RESERVED))


@dataclass(frozen=True)
class AdmissionFilters:
    organisation: UUID | None = None
    is_open: bool | None = None


def admission_list(*, user: AnyUser, filters: AdmissionFilters | None = None) -> QuerySet[Admission]:
    """Stays in reach, newest admission first, with elder, organisation and bed loaded."""
    filters = filters or AdmissionFilters()
    qs = admissions_in_reach(user=user)
    if filters.organisation:
        organisation = organisations_in_reach(user=user).filter(public_id=filters.organisation).first()
        if organisation is None:
            reason = str(_("该机构不存在或不在您的辖区内"))
            raise OrganisationNotFound(reason, errors=[FieldError("organisation", reason, "not_found")])
        qs = qs.filter(organisation=organisation)
    if filters.is_open is True:
        qs = qs.filter(discharged_on__isnull=True)
    elif filters.is_open is False:
        qs = qs.filter(discharged_on__isnull=False)
    return qs.select_related("elder", "organisation", "bed").order_by("-admitted_on", "-id")


@dataclass(frozen=True)
class ResidentFilters:
    """`q` matches the resident's name (anywhere in it) or the bed (as `BedFilters.q`); `building`
    matches the bed's building exactly."""

    q: str = ""
    building: str = ""


def residents_of(
    *, user: AnyUser, organisation: Organisation, filters: ResidentFilters | None = None
) -> QuerySet[Admission]:
    """Open stays at the organisation (its current residents) that the account may see and that
    match the filters, by bed."""
    filters = filters or ResidentFilters()
    qs = admissions_in_reach(user=user).filter(organisation=organisation, discharged_on__isnull=True)
    text = filters.q.strip()
    if text:
        qs = qs.filter(Q(elder__name__icontains=text) | _label_q(text, prefix="bed__"))
    if filters.building:
        qs = qs.filter(bed__building=filters.building)
    return qs.select_related("elder", "bed").order_by("bed__building", "bed__room", "bed__number", "id")


@dataclass(frozen=True, kw_only=True)
class BedOverview:
    """Beds in reach by state, and stays that began this calendar month (up to today)."""

    beds: BedCounts
    admitted_this_month: int


def bed_overview(*, user: AnyUser, today: date) -> BedOverview:
    """Beds of the organisations in reach by state, and how many stays in reach began between the
    first of `today`'s month and `today` (0 without `elders.view`, as stays name residents)."""
    beds = BedCounts.of(beds_in_reach(user=user).aggregate(**bed_counts()))
    admitted = (
        admissions_in_reach(user=user).filter(admitted_on__gte=today.replace(day=1), admitted_on__lte=today).count()
    )
    return BedOverview(beds=beds, admitted_this_month=admitted)


def own_bed_organisation(*, user: AnyUser) -> Organisation | None:
    """The institution (a bed-keeping organisation) an institution account works for, when it may see
    organisations; None for every other account."""
    scope = scope_for(user)
    if scope.kind is not ScopeKind.ORGANISATION or scope.organisation_kind not in BED_KINDS:
        return None
    return organisations_in_reach(user=user).first()


# --- stays and licences, in bulk (benefits payroll) ------------------------------------------------


def licensed_institution_ids(*, district_id: int | None = None) -> set[int]:
    """Institutions that may receive operating subsidies: open, with a licence or a filing number."""
    qs = Organisation.objects.filter(kind=OrganisationKind.INSTITUTION, status=OrganisationStatus.OPEN).exclude(
        licence_number="", filing_number=""
    )
    if district_id is not None:
        qs = qs.filter(district_id=district_id)
    return set(qs.values_list("pk", flat=True))


def stays_overlapping(
    *,
    start: date,
    end: date,
    elder_district_id: int | None = None,
    organisation_ids: Collection[int] | None = None,
    elder_ids: Collection[int] | None = None,
) -> Iterator[tuple[int, int, int, date, date | None]]:
    """(admission pk, elder pk, organisation pk, admitted_on, discharged_on) of stays with a day in
    [start, end] (a stay counts its first day, not its day of discharge), as plain tuples."""
    qs = Admission.objects.filter(admitted_on__lte=end).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gt=start)
    )
    if elder_district_id is not None:
        qs = qs.filter(elder__district_id=elder_district_id)
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=list(organisation_ids))
    if elder_ids is not None:
        qs = qs.filter(elder_id__in=list(elder_ids))
    return (
        qs.order_by("elder_id", "admitted_on", "id")
        .values_list("pk", "elder_id", "organisation_id", "admitted_on", "discharged_on")
        .iterator(chunk_size=20_000)
    )


def stays_changed_since(*, elder_district_id: int, recorded_after: datetime) -> list[tuple[int, int, date]]:
    """(elder pk, organisation pk, admitted_on) of stays registered or changed after `recorded_after`."""
    return list(
        Admission.objects.filter(elder__district_id=elder_district_id, updated_at__gt=recorded_after).values_list(
            "elder_id", "organisation_id", "admitted_on"
        )
    )
