"""Generation of the synthetic elders, their homes, home members and emergency contacts.

Pure computation: no database access, so it can run in a separate process while the parent writes
(see `yiyang.demo.pipeline`). Rows come out as tuples in the field order of `yiyang.demo.seeding`,
with primary keys assigned from the first free ids the plan gives, and values in a form every
backend accepts as is (UUIDs as hex, JSON and dates as text, date-times as the plan gives them).

National IDs are unique by construction: for each (address code, birth date, sex) a counter picks
the next sequence number (odd for men, even for women, from a start that varies by date), skipping
numbers already registered in the database; there is no random retry. A fixed seed gives the same
elders, in the same order, on any day: ages are counted on `data.REFERENCE_DATE`.
"""

import json
import marshal
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import Any

from yiyang.core.national_id import make_national_id
from yiyang.demo import data
from yiyang.demo.people import People, weighted
from yiyang.elders.choices import EconomicStatus, ElderStatus, HouseholdRegistration, LivingArrangement

Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class CommunityPlan:
    pk: int
    street_id: int
    name: str
    street_name: str
    lat: float
    lng: float
    roads: tuple[str, ...]
    weight: float
    station_id: int
    health_centre_id: int


@dataclass(frozen=True)
class ElderPlan:
    """Everything generation needs, as plain values (it is handed to a child process)."""

    total: int
    seed: int
    batch_size: int
    now: Any  # created_at / updated_at, already in database form
    uuid_clock_ms: int  # where the time-ordered public ids start
    district_id: int
    communities: list[CommunityPlan]
    slots: list[tuple[int, int, int]]  # resident beds: (bed pk, organisation pk, community index)
    registered: int  # how many of `total` have local household registration
    first_home_id: int
    first_elder_id: int
    first_member_id: int
    first_contact_id: int
    existing_ids: frozenset[str] = frozenset()
    sealer: Any = None  # yiyang.core.bulk_crypto.FieldSealer: encrypts and hashes the sensitive columns
    # When elders were registered (created_at), in database form: each elder takes one of these.
    # Years before the reference date, so before any stay, helper assignment or assessment.
    registration_times: tuple[Any, ...] = ()


@dataclass
class ElderBatch:
    homes: Rows
    elders: Rows
    members: Rows
    contacts: Rows
    done: int  # elders generated so far

    def encode(self) -> bytes:
        return marshal.dumps((0, self.homes, self.elders, self.members, self.contacts, self.done))


@dataclass
class ElderOutcome:
    """What the later steps need to know about the generated elders."""

    resident_stays: list[tuple[int, int, int]] = field(default_factory=list)  # elder, bed, organisation
    alone_by_community: dict[int, list[int]] = field(default_factory=dict)  # active elders living alone
    past_stay_candidates: list[int] = field(default_factory=list)
    family_candidate: dict[int, tuple[int, str, str, str]] = field(default_factory=dict)  # elder, contact

    def encode(self) -> bytes:
        return marshal.dumps(
            (1, self.resident_stays, self.alone_by_community, self.past_stay_candidates, self.family_candidate)
        )


def encode_item(item: "ElderBatch | ElderOutcome") -> bytes:
    """Items cross the pipe from the generating process with marshal: rows hold only str, int,
    float, bool and None (dates are ISO text), which marshal handles faster than pickle."""
    return item.encode()


def decode_item(raw: bytes) -> "ElderBatch | ElderOutcome":
    kind, *fields = marshal.loads(raw)  # noqa: S302 - our own child, over our own pipe
    if kind == 0:
        return ElderBatch(*fields)
    return ElderOutcome(*fields)


ID_TOKENS = ((None, False), (6, False), (10, False), (14, False))  # as Elder.national_id_hash/_p6/_p10/_p14
PHONE_TOKENS = ((None, False), (3, False), (7, False), (4, True))  # as Elder.phone_hash/_p3/_p7/_s4


def seal_batch(sealer: Any, batch: ElderBatch) -> ElderBatch:
    """Encrypt national ID, phone and notes (and the contacts' and members' phones) and append the
    elders' blind-index tokens, in the column order of `yiyang.demo.seeding` (which appends the
    token fields to ELDER_FIELDS). Without a sealer the rows pass unchanged (plain-text tests)."""
    if sealer is None:
        return batch
    seal, tokens = sealer.seal, sealer.tokens
    nid_aad, phone_aad, notes_aad = b"elders_elder.national_id", b"elders_elder.phone", b"elders_elder.notes"
    elders = []
    for row in batch.elders:
        nid, phone, notes = row[5], row[8], row[22]
        digits = "".join(ch for ch in phone if ch.isdigit())
        elders.append(
            (
                *row[:5],
                seal(nid, nid_aad),
                row[6],
                row[7],
                seal(phone, phone_aad),
                *row[9:22],
                seal(notes, notes_aad),
                *tokens("elders.national_id", nid.upper(), ID_TOKENS),
                *(tokens("elders.phone", digits, PHONE_TOKENS) if digits else (None,) * len(PHONE_TOKENS)),
            )
        )
    member_aad, contact_aad = b"elders_homemember.phone", b"elders_emergencycontact.phone"
    members = [(*m[:7], seal(m[7], member_aad), *m[8:]) for m in batch.members]
    contacts = [(*c[:7], seal(c[7], contact_aad), *c[8:]) for c in batch.contacts]
    return ElderBatch(batch.homes, elders, members, contacts, batch.done)


def _bands(spec: tuple[tuple[int, float], ...]) -> tuple[list[int], list[float]]:
    return [lower for lower, _ in spec], list(accumulate(w for _, w in spec))


def elder_rng(seed: int) -> random.Random:
    """The elders' own random stream, independent of the one used for the network and accounts."""
    return random.Random(f"yiyang-demo-elders-{seed}")


def generate_elders(plan: ElderPlan) -> Iterator[ElderBatch | ElderOutcome]:
    """Yield batches of rows, then one ElderOutcome. One flat loop with local names on purpose:
    it runs a million times in the benchmark."""
    rng = elder_rng(plan.seed)
    rnd = rng.random
    people = People(rng, clock_ms=plan.uuid_clock_ms)
    uuid, given, surname, mobile = people.uuid, people.given, people.surname, people.mobile
    now = plan.now
    # A stream of its own, so the registration times leave every other generated value unchanged.
    registration_times = plan.registration_times or (now,)
    pick_registration = random.Random(f"registration-{plan.seed}").random
    registration_count = len(registration_times)
    total = plan.total
    ref = data.REFERENCE_DATE
    district_id = plan.district_id

    id_areas, id_area_cum = weighted(data.RESIDENT_ID_AREAS)
    id_area_total = id_area_cum[-1]
    ages, age_cum = _bands(data.AGE_WEIGHTS)
    resident_ages, resident_age_cum = _bands(data.RESIDENT_AGE_WEIGHTS)
    year_start = {y: date(y, 1, 1).toordinal() for y in range(ref.year - data.OLDEST_AGE - 1, ref.year + 1)}
    year_len = {y: date(y + 1, 1, 1).toordinal() - start for y, start in year_start.items()}
    birth_cache: dict[int, tuple[date, str]] = {}

    communities = plan.communities
    community_cum = list(accumulate(c.weight for c in communities))
    community_total = community_cum[-1]
    slots = plan.slots
    residents_left = len(slots)
    registered_left = plan.registered
    existing_ids = plan.existing_ids
    sequence_counter: dict[tuple[str, int, bool], int] = {}

    reg, res = HouseholdRegistration.REGISTERED.value, HouseholdRegistration.RESIDENT.value
    alone_code, nest = LivingArrangement.ALONE.value, LivingArrangement.EMPTY_NEST.value
    family, other = LivingArrangement.WITH_FAMILY.value, LivingArrangement.OTHER.value
    inst = LivingArrangement.IN_INSTITUTION.value
    active, deceased, moved = ElderStatus.ACTIVE.value, ElderStatus.DECEASED.value, ElderStatus.MOVED_OUT.value
    ordinary, dibao = EconomicStatus.ORDINARY.value, EconomicStatus.DIBAO.value
    tekun, low = EconomicStatus.TEKUN.value, EconomicStatus.LOW_INCOME.value
    notes_pool = data.NOTES
    member_relations = data.MEMBER_RELATIONS
    male_relations = data.CONTACT_RELATIONS_FOR_MALE_SURNAME
    other_relations = data.CONTACT_RELATIONS_OTHER

    home_id = plan.first_home_id
    elder_id = plan.first_elder_id
    member_id = plan.first_member_id
    contact_id = plan.first_contact_id
    outcome = ElderOutcome()
    homes: Rows = []
    elders: Rows = []
    members: Rows = []
    contacts: Rows = []
    spouse: tuple[int, int, int, bool] | None = None  # the next elder's home, community, age, sex

    for i in range(total):
        left = total - i
        # Exact counts by selection sampling: each index is chosen with probability wanted/left.
        resident = rnd() * left < residents_left
        registered = rnd() * left < registered_left
        if registered:
            registered_left -= 1
        if spouse is not None and resident:
            # The partner planned for the previous elder is not at home after all: the spouse at
            # home is younger than 60, a home member rather than a registered elder.
            members.append(
                (member_id, uuid(), now, now, spouse[0], surname(True) + given(not spouse[3]), "配偶", mobile())
            )
            member_id += 1
            spouse = None
        # --- where, how old, which sex
        if resident:
            bed_pk, org_pk, ci = slots[len(slots) - residents_left]
            residents_left -= 1
            band = bisect(resident_age_cum, rnd() * resident_age_cum[-1])
            age = resident_ages[band] + int(rnd() * 5)
            female = rnd() < (0.62 if age < 85 else 0.72)
        elif spouse is not None:
            ci = spouse[1]
            age = max(60, spouse[2] + int(rnd() * 11) - 4)
            female = not spouse[3]
        else:
            ci = bisect(community_cum, rnd() * community_total)
            band = bisect(age_cum, rnd() * age_cum[-1])
            age = ages[band] + int(rnd() * (6 if ages[band] == 100 else 5))
            female = rnd() < (0.50 if age < 70 else 0.53 if age < 80 else 0.58 if age < 90 else 0.68)
        age = min(age, data.OLDEST_AGE)
        # Born in year ref.year - age; with the reference day on 31 December that is the age then.
        year = ref.year - age
        ordinal = year_start[year] + int(rnd() * year_len[year])
        cached = birth_cache.get(ordinal)
        if cached is None:
            day = date.fromordinal(ordinal)
            cached = birth_cache[ordinal] = (day, day.isoformat())
        birth, birth_text = cached
        community = communities[ci]
        # --- national ID
        area = data.DISTRICT_CODE if registered else id_areas[bisect(id_area_cum, rnd() * id_area_total)]
        key = (area, ordinal, female)
        k = sequence_counter.get(key, 0)
        start = 2 * ((ordinal * 31 + int(area)) % 200)
        while True:
            if k >= 500:
                raise RuntimeError(f"more than 500 synthetic elders of one sex born on {birth} in area {area}")
            national_id = make_national_id(area, birth, (start + 2 * k + (2 if female else 1)) % 1000)
            k += 1
            if national_id not in existing_ids:
                break
        sequence_counter[key] = k
        # --- name and situation
        local = registered or area[:2] == "35"
        family_name = surname(local)
        name = family_name + given(female)
        economic = ordinary
        special: list[str] = []
        if registered:  # 低保/特困/低收入 are granted where the household is registered
            r = rnd()
            if r < 0.009:
                economic = tekun
                if rnd() < 0.6:
                    special.append("orphaned")
            elif r < 0.059:
                economic = dibao
            elif r < 0.129:
                economic = low
        if rnd() < 0.06:
            special.append("disabled")
        if not female and age >= 75 and rnd() < 0.05:
            special.append("veteran")
        r = rnd()
        if r < 0.010:
            special.append("family_planning_special")
            if r < 0.004:
                special.append("shidu")
        if age >= 100:
            special.append("centenarian")
        specials = json.dumps(sorted(special)) if special else "[]"
        is_spouse = spouse is not None
        if resident:
            living = inst
        elif is_spouse:
            living = nest
        elif economic == tekun and rnd() < 0.6:
            living = alone_code
        else:
            # Shares among primary draws; with the partners added they give about 10% alone,
            # 30% empty nest (空巢), 3% other and 57% with family.
            r = rnd()
            living = alone_code if r < 0.1141 else nest if r < 0.3154 else other if r < 0.3496 else family
        status = active
        if not resident:
            r = rnd()
            if r < 0.008:
                status = deceased
            elif r < 0.012:
                status = moved
        phone = mobile() if rnd() < (0.9 if age < 85 else 0.6) else ""
        consent = rnd() < (0.35 if living == alone_code else 0.08)
        medical_id = community.health_centre_id if rnd() < 0.5 else None
        note = notes_pool[int(rnd() * len(notes_pool))] if rnd() < 0.04 else ""
        # --- home, members, contacts
        home_ref: int | None = None
        first_member: tuple[str, str, str] | None = None
        if spouse is not None:
            home_ref = spouse[0]
            spouse = None
        elif not resident:
            home_ref = home_id
            home_id += 1
            address = (
                f"{data.CITY_PREFIX}{community.street_name}{community.name}{community.roads[int(rnd() * 3)]}"
                f"{int(rnd() * 300) + 1}号{int(rnd() * 30) + 1}栋{int(rnd() * 18) + 1}{int(rnd() * 4) + 1:02d}室"
            )
            key_holder = surname(True) + given(rnd() < 0.5) if living == alone_code and rnd() < 0.5 else ""
            homes.append(
                (
                    home_ref,
                    uuid(),
                    now,
                    now,
                    address,
                    community.pk,
                    community.street_id,
                    district_id,
                    round(community.lat + (rnd() - 0.5) * 0.006, 6),
                    round(community.lng + (rnd() - 0.5) * 0.006, 6),
                    key_holder,
                )
            )
            if living == nest:
                if i + 1 < total and rnd() < 0.7:
                    spouse = (home_ref, ci, age, female)
                else:
                    members.append(
                        (member_id, uuid(), now, now, home_ref, surname(local) + given(not female), "配偶", mobile())
                    )
                    member_id += 1
            elif living == family:
                for m in range(1 + int(rnd() * 3)):
                    relation = member_relations[int(rnd() * len(member_relations))]
                    child_female = relation in ("女儿", "儿媳", "孙女", "外孙女")
                    same_name = not female and relation in ("儿子", "女儿", "孙子", "孙女")
                    member_name = (family_name if same_name else surname(local)) + given(child_female)
                    member_phone = mobile() if rnd() < 0.75 else ""
                    members.append((member_id, uuid(), now, now, home_ref, member_name, relation, member_phone))
                    member_id += 1
                    if m == 0 and member_phone:
                        first_member = (member_name, relation, member_phone)
        n_contacts = 2 if rnd() < (0.7 if living == alone_code else 0.45) else 1
        for priority in range(1, n_contacts + 1):
            if priority == 1 and first_member is not None:
                c_name, c_relation, c_phone = first_member
            else:
                if female or rnd() < 0.3:
                    c_relation = other_relations[int(rnd() * len(other_relations))]
                    c_name = surname(local) + given(rnd() < 0.5)
                else:
                    c_relation = male_relations[int(rnd() * len(male_relations))]
                    c_name = family_name + given(c_relation in ("女儿", "儿媳"))
                c_phone = mobile()
            contacts.append(
                (
                    contact_id,
                    uuid(),
                    now,
                    now,
                    elder_id,
                    c_name,
                    c_relation,
                    c_phone,
                    priority,
                    priority == 1 and living == alone_code and rnd() < 0.5,
                )
            )
            contact_id += 1
            if priority == 1 and status == active and living == family and ci not in outcome.family_candidate:
                outcome.family_candidate[ci] = (elder_id, c_name, c_relation, c_phone)
        elders.append(
            (
                elder_id,
                uuid(),
                registration_times[int(pick_registration() * registration_count)],
                now,
                name,
                national_id,
                birth_text,
                "F" if female else "M",
                phone,
                reg if registered else res,
                economic,
                specials,
                living,
                home_ref,
                community.pk,
                community.street_id,
                district_id,
                community.station_id,
                medical_id,
                consent,
                now if consent else None,
                status,
                note,
            )
        )
        if resident:
            outcome.resident_stays.append((elder_id, bed_pk, org_pk))
        elif status == active:
            if living == alone_code:
                outcome.alone_by_community.setdefault(ci, []).append(elder_id)
            elif rnd() < 0.004:
                outcome.past_stay_candidates.append(elder_id)
        elder_id += 1
        if len(elders) >= plan.batch_size:
            yield seal_batch(plan.sealer, ElderBatch(homes, elders, members, contacts, done=i + 1))
            homes, elders, members, contacts = [], [], [], []
    if elders:
        yield seal_batch(plan.sealer, ElderBatch(homes, elders, members, contacts, done=total))
    yield outcome
