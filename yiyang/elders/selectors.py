"""Reads of the elder registry. Every list starts from `elders_in_reach`, so scope is never forgotten."""

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from uuid import UUID

from django.db.models import Count, Min, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.access import access_area_filter
from yiyang.areas.choices import AreaLevel
from yiyang.core.errors import ValidationFailed
from yiyang.core.fields import BlindIndexField
from yiyang.elders.choices import (
    AGE_BAND_RANGES,
    EconomicStatus,
    ElderStatus,
    HouseholdRegistration,
    LivingArrangement,
)
from yiyang.elders.models import Elder, ElderFactChange, HelperAssignment, Home
from yiyang.organisations.choices import BED_KINDS, MEDICAL_KINDS

_ID_LIKE = re.compile(r"^[0-9]{6,17}[0-9Xx]?$")
_DIGITS = re.compile(r"^[0-9]{3,}$")


def elders_in_reach(*, user: AnyUser) -> QuerySet[Elder]:
    """Elders the account may see: its area, its institution's residents, its medical institution's
    contracted elders, a helper's assigned elders or a family member's own; none without `elders.view`.
    """
    if not has_perm(user, Perm.ELDERS_VIEW):
        return Elder.objects.none()
    scope = scope_for(user)
    qs = Elder.objects.all()
    if scope.kind is ScopeKind.ALL:
        return qs
    if scope.is_area:
        return qs.filter(scope.area_q())
    if scope.kind is ScopeKind.ORGANISATION:
        if scope.organisation_kind in BED_KINDS:
            return qs.filter(
                Q(admissions__organisation_id=scope.organisation_id, admissions__discharged_on__isnull=True)
            )
        if scope.organisation_kind in MEDICAL_KINDS:
            return qs.filter(Q(medical_institution_id=scope.organisation_id))
        return qs.filter(Q(service_station_id=scope.organisation_id))
    if scope.kind is ScopeKind.HELPER:
        return qs.filter(Q(helper_assignments__helper_id=scope.user_id, helper_assignments__until__isnull=True))
    if scope.kind is ScopeKind.FAMILY:
        return qs.filter(Q(family_links__user_id=scope.user_id))
    return Elder.objects.none()


def elders_on_roll(*, user: AnyUser) -> QuerySet[Elder]:
    """Elders on the roll (在册) in reach: status active, i.e. neither moved out nor deceased. The one
    definition behind every "elders on the roll" figure: the home page, the elder list's default and
    `yiyang demo_logins` all count this set."""
    return elders_in_reach(user=user).filter(status=ElderStatus.ACTIVE)


# `status` of ElderFilters that lists every elder in reach, whatever their status.
ANY_STATUS = "any"


@dataclass(frozen=True)
class ElderFilters:
    q: str = ""
    street: UUID | None = None
    community: UUID | None = None
    age_band: str = ""
    economic_status: str = ""
    living_alone: bool | None = None
    # Empty: elders on the roll (`elders_on_roll`); ANY_STATUS: everyone in reach; else that status.
    status: str = ""


def birth_date_range(age_band: str, *, today: date) -> tuple[date | None, date | None]:
    """(earliest, latest) birth dates (inclusive, exclusive) of people whose age is in the band today."""
    lower, upper = AGE_BAND_RANGES[age_band]

    def years_ago(years: int) -> date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    # age >= lower  <=> born on or before today-lower years; age < upper <=> born after today-upper years
    latest = years_ago(lower)
    earliest = years_ago(upper) if upper is not None else None
    return earliest, latest


ID_PREFIX_LENGTHS = (6, 10, 14)  # address code, + birth year, + birth date (tokens in Elder)
ID_NARROWED = range(15, 18)  # the 14-prefix token, then the decrypted IDs (same area and birth date)
PHONE_PREFIX_LENGTHS = (3, 7)
PHONE_SUFFIX_LENGTH = 4
ID_LENGTHS_HELP = _("身份证号请输入前6、10、14位或完整18位")
PHONE_LENGTHS_HELP = _("电话请输入前3位、前7位、后4位或完整号码")
VERIFY_LIMIT = 5000  # rows decrypted at most to verify one search (one ID, or one area code and birth date)
SEARCH_HELP = _("姓名（开头）；身份证号前6、10、14位或完整18位；电话前3位、前7位、后4位或完整号码")


def _field(name: str) -> BlindIndexField:
    return cast(BlindIndexField, Elder._meta.get_field(name))


def _tokens_q(field_name: str, text: str) -> Q:
    tokens = _field(field_name).search_tokens(text)
    return Q(**{f"{field_name}__in": tokens}) if tokens else Q(pk__in=[])


def _verified_q(field_name: str, text: str, *, source: str, prefix: bool) -> Q:
    """Rows whose token matches and whose decrypted value equals (or starts with) `text`: a bounded set
    (one ID, or the elders of one area code and birth date), so a hash collision never shows a wrong row."""
    normalise = _field(field_name).normalise
    wanted = normalise(text)
    candidates = Elder.objects.filter(_tokens_q(field_name, text)).values_list("pk", source)[:VERIFY_LIMIT]
    pks = [
        pk
        for pk, value in candidates
        if (normalise(value).startswith(wanted) if prefix else normalise(value) == wanted)
    ]
    return Q(pk__in=pks)


def national_id_hash_field() -> BlindIndexField:
    """The whole-ID blind index (bulk callers compute its tokens themselves)."""
    return _field("national_id_hash")


def national_id_hash_q(national_id: str) -> Q:
    """Elders whose whole-ID keyed hash matches (what the unique constraint compares): for duplicate checks."""
    return _tokens_q("national_id_hash", national_id)


def national_id_exact_q(national_id: str) -> Q:
    """The elder with exactly this national ID: hash match verified against the decrypted value."""
    return _verified_q("national_id_hash", national_id, source="national_id", prefix=False)


def search_refusal(text: str) -> str | None:
    """Why a search text cannot be answered from the blind indexes, or None when it can."""
    text = text.strip()
    if not text or not (_ID_LIKE.match(text) or _DIGITS.match(text)):
        return None
    if _ID_LIKE.match(text) and len(text) >= 6 and _id_query_length_ok(len(text)):
        return None
    if text.isdigit() and _phone_query_length_ok(len(text)) and (len(text) < 6 or text[0] in "01"):
        return None
    if text.isdigit() and len(text) < 6:
        return str(PHONE_LENGTHS_HELP)
    if text.isdigit() and text[0] in "01":
        return f"{ID_LENGTHS_HELP}；{PHONE_LENGTHS_HELP}"
    return str(ID_LENGTHS_HELP)


def _id_query_length_ok(length: int) -> bool:
    return length in ID_PREFIX_LENGTHS or length in ID_NARROWED or length == 18


def _phone_query_length_ok(length: int) -> bool:
    return length in PHONE_PREFIX_LENGTHS or length == PHONE_SUFFIX_LENGTH or length >= 11


def search_q(text: str) -> Q:
    """Search by name (prefix), national ID or phone through their keyed hashes (ADR 0004).

    IDs: the first 6, 10 or 14 characters or the whole 18 (15–17 narrow the 14-prefix by the decrypted
    values); phones: the first 3 or 7 digits, the last 4, or the whole number. Any other length raises
    `ValidationFailed` on `q` (see `search_refusal`): it would need decrypting an unbounded set.
    A whole ID or phone is verified against the decrypted value, so a hash collision shows nothing wrong.
    """
    text = text.strip()
    if not text:
        return Q()
    if not (_ID_LIKE.match(text) or _DIGITS.match(text)):
        return Q(name__startswith=text)
    if refusal := search_refusal(text):
        raise ValidationFailed.single("q", refusal, "search_length")
    parts: list[Q] = []
    length = len(text)
    if _ID_LIKE.match(text) and length >= 6 and _id_query_length_ok(length):
        if length == 18:
            parts.append(_verified_q("national_id_hash", text, source="national_id", prefix=False))
        elif length in ID_NARROWED:
            parts.append(_verified_q("national_id_p14", text, source="national_id", prefix=True))
        else:
            parts.append(_tokens_q(f"national_id_p{length}", text))
    # Mobile numbers start with 1 and landlines with 0, ID numbers with a province code (11–82).
    if text.isdigit() and _phone_query_length_ok(length) and (length < 6 or text[0] in "01"):
        if length >= 11:
            parts.append(_verified_q("phone_hash", text, source="phone", prefix=False))
        elif length == PHONE_SUFFIX_LENGTH:
            parts.append(_tokens_q("phone_s4", text))
        else:
            parts.append(_tokens_q(f"phone_p{length}", text))
    query = parts[0]
    for part in parts[1:]:
        query |= part
    return query


def area_filters_q(*, user: AnyUser, street: UUID | None, community: UUID | None, prefix: str = "") -> Q:
    """The filter for `?street=` / `?community=` on rows with denormalised area columns, resolved to
    primary keys first so that the count filters one indexed column instead of joining areas. An
    area outside the reach, unknown or of the other level raises AreaNotFound naming the field."""
    q = Q()
    if street:
        area = access_area_filter(user=user, public_id=street, field="street", level=AreaLevel.STREET)
        q &= Q(**{f"{prefix}street_id": area.pk})
    if community:
        area = access_area_filter(user=user, public_id=community, field="community", level=AreaLevel.COMMUNITY)
        q &= Q(**{f"{prefix}community_id": area.pk})
    return q


def elder_list(*, user: AnyUser, filters: ElderFilters | None = None) -> QuerySet[Elder]:
    """Elders in reach matching the filters, newest first, with their areas loaded: by default those on
    the roll (`elders_on_roll`), so the list counts what the home page counts. A street or community
    filter outside the reach (or unknown) raises AreaNotFound naming it."""
    filters = filters or ElderFilters()
    if not filters.status:
        qs = elders_on_roll(user=user)
    elif filters.status == ANY_STATUS:
        qs = elders_in_reach(user=user)
    else:
        qs = elders_in_reach(user=user).filter(status=filters.status)
    if filters.q:
        qs = qs.filter(search_q(filters.q))
    qs = qs.filter(area_filters_q(user=user, street=filters.street, community=filters.community))
    if filters.age_band in AGE_BAND_RANGES:
        earliest, latest = birth_date_range(filters.age_band, today=timezone.localdate())
        qs = qs.filter(birth_date__lte=latest)
        if earliest is not None:
            qs = qs.filter(birth_date__gt=earliest)
    if filters.economic_status:
        qs = qs.filter(economic_status=filters.economic_status)
    if filters.living_alone is True:
        qs = qs.filter(living_arrangement=LivingArrangement.ALONE)
    elif filters.living_alone is False:
        qs = qs.exclude(living_arrangement=LivingArrangement.ALONE)
    return qs.select_related("community", "street").order_by("-id")


def elder_get(*, public_id: UUID) -> Elder | None:
    """One elder by public id with everything the profile page shows, or None. No scope check."""
    return (
        Elder.objects.select_related(
            "community", "street", "district", "home", "service_station", "medical_institution"
        )
        .prefetch_related("emergency_contacts", "admissions__organisation", "admissions__bed")
        .filter(public_id=public_id)
        .first()
    )


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def homes_in_reach(*, user: AnyUser) -> QuerySet[Home]:
    """Homes in the account's area (or homes of the elders it may see, for personal scopes)."""
    if not has_perm(user, Perm.ELDERS_VIEW):
        return Home.objects.none()
    scope = scope_for(user)
    if scope.kind is ScopeKind.ALL:
        return Home.objects.all()
    if scope.is_area:
        return Home.objects.filter(scope.area_q())
    return Home.objects.filter(pk__in=elders_in_reach(user=user).exclude(home=None).values("home_id"))


def home_list(*, user: AnyUser, street: UUID | None = None, community: UUID | None = None) -> QuerySet[Home]:
    """Homes in reach, newest first, optionally in one street or community (AreaNotFound when that
    area is outside the reach)."""
    qs = homes_in_reach(user=user).filter(area_filters_q(user=user, street=street, community=community))
    return qs.select_related("community").prefetch_related("members", "elders").order_by("-id")


def elder_overview(*, user: AnyUser) -> dict[str, object]:
    """Counts of the elders on the roll in reach (`elders_on_roll`): total, registered, living alone,
    and by street (ordered by street code)."""
    qs = elders_on_roll(user=user)
    totals = qs.aggregate(
        total=Count("id"),
        registered=Count("id", filter=Q(household_registration=HouseholdRegistration.REGISTERED)),
        living_alone=Count("id", filter=Q(living_arrangement=LivingArrangement.ALONE)),
    )
    by_street = [
        {"name": row["street__name"], "count": row["count"]}
        for row in qs.values("street__name", "street__code").annotate(count=Count("id")).order_by("street__code")
    ]
    return {**totals, "by_street": by_street}


def active_elder_counts_by_community(*, user: AnyUser) -> dict[int, int]:
    """Community id → number of active (在册) elders in the user's reach."""
    rows = elders_on_roll(user=user).values("community_id").annotate(n=Count("id"))
    return {row["community_id"]: row["n"] for row in rows}


def elder_in_reach(*, user: AnyUser, elder: Elder) -> bool:
    """Whether the account may see this elder (`elders_in_reach`). Kept on the elder instance per
    account: the profile's sections and timeline sources all ask it of the same loaded elder."""
    known: dict[object, bool] = elder.__dict__.setdefault("_yiyang_in_reach", {})
    if user.pk not in known:
        known[user.pk] = elders_in_reach(user=user).filter(pk=elder.pk).exists()
    return known[user.pk]


def elder_helper_assignments(*, elder: Elder) -> QuerySet[HelperAssignment]:
    """The elder's helper assignments, current and past, newest first, with the helper."""
    return (
        HelperAssignment.objects.filter(elder=elder)
        .select_related("helper", "helper__organisation", "helper__area")
        .order_by("-since", "-id")
    )


def elders_in_personal_care(*, user: AnyUser) -> QuerySet[Elder]:
    """A helper's currently assigned elders or a family member's linked elders (whatever their status),
    by name, with their community loaded; none for any other account or without `elders.view`."""
    if scope_for(user).kind not in (ScopeKind.HELPER, ScopeKind.FAMILY):
        return Elder.objects.none()
    return elders_in_reach(user=user).select_related("community").order_by("name", "id")


# --- dated facts, in bulk (benefits payroll) -------------------------------------------------------


def elder_fact_rows(*, district_id: int) -> Iterator[tuple[int, str, str, str]]:
    """(pk, economic_status, household_registration, status) of every elder served in the district,
    as plain tuples (a payroll reads a whole district at once)."""
    return (
        Elder.objects.filter(district_id=district_id)
        .order_by()
        .values_list("pk", "economic_status", "household_registration", "status")
        .iterator(chunk_size=20_000)
    )


def elder_fact_events(
    *, district_id: int, until: date, elder_ids: Collection[int] | None = None
) -> Iterator[tuple[int, str, str, str, date]]:
    """(elder pk, field, old value, new value, effective_on) of the dated fact changes that take effect
    on or before `until`, for the district's elders (or only `elder_ids`), ordered by elder, day and the
    order they were recorded in."""
    qs = ElderFactChange.objects.filter(elder__district_id=district_id, effective_on__lte=until)
    if elder_ids is not None:
        qs = qs.filter(elder_id__in=list(elder_ids))
    return (
        qs.order_by("elder_id", "effective_on", "recorded_at", "id")
        .values_list("elder_id", "field", "old_value", "new_value", "effective_on")
        .iterator(chunk_size=20_000)
    )


def elder_fact_changes_since(*, district_id: int, recorded_after: datetime) -> dict[int, date]:
    """{elder pk: earliest effective day} of fact changes recorded after `recorded_after`."""
    rows = (
        ElderFactChange.objects.filter(elder__district_id=district_id, recorded_at__gt=recorded_after)
        .values("elder_id")
        .annotate(first=Min("effective_on"))
        .values_list("elder_id", "first")
    )
    return dict(rows)


def elder_fact_history(*, elder: Elder) -> QuerySet[ElderFactChange]:
    """The elder's dated changes, latest effective day first (then latest recorded), with who recorded
    them. No scope check: for an elder already accessed."""
    return (
        ElderFactChange.objects.filter(elder=elder)
        .select_related("recorded_by", "recorded_by__organisation", "recorded_by__area")
        .order_by("-effective_on", "-recorded_at", "-id")
    )


_FACT_VALUE_CHOICES: dict[str, type[TextChoices]] = {
    "economic_status": EconomicStatus,
    "household_registration": HouseholdRegistration,
    "status": ElderStatus,
}


def fact_value_label(field: str, value: str) -> str:
    """The readable name of a dated fact's value ("低保", "去世"); the value itself when unknown."""
    choices = _FACT_VALUE_CHOICES.get(field)
    if choices is None or value not in choices.values:
        return value
    return str(choices(value).label)
