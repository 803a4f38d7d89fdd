"""Builds the synthetic demo district: areas, the service network, beds, elders and demo accounts.

This is a bulk loader of invented data. It writes directly to the models (small tables through the
ORM, the big ones through `yiyang.demo.bulk`) instead of going through the registry services: every
row is generated valid, and a million calls to `elder_register` would take hours. It is never meant
for real people's data.

Randomness comes from two seeded streams consumed in a fixed order (one for the network and
accounts, one for the elders, see `yiyang.demo.generate`), so the same `--elders` and `--seed` give
the same names, national IDs, birth dates and addresses on any machine and any day. Everything is
written in one transaction: the district exists completely or not at all.

Beds are those of the real district at any size. Residents fill them to a 60–75% occupancy, capped at
a tenth of the elders, so the occupancy is real from about 12,000 elders up.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.core.bulk_crypto import FieldSealer
from yiyang.demo import data
from yiyang.demo.bulk import (
    TableWriter,
    db_datetime,
    deferred_indexes,
    next_id,
    reset_sequences,
    tune_session_for_bulk_load,
)
from yiyang.demo.generate import (
    CommunityPlan,
    ElderOutcome,
    ElderPlan,
    decode_item,
    encode_item,
    generate_elders,
)
from yiyang.demo.people import People, credit_code
from yiyang.demo.pipeline import produce
from yiyang.devices.choices import DeviceProtocol
from yiyang.devices.models import PendingDevice
from yiyang.elders.models import Elder, EmergencyContact, FamilyLink, HelperAssignment, Home, HomeMember
from yiyang.organisations.choices import BedState, DischargeReason, OrganisationKind, Ownership
from yiyang.organisations.models import Admission, Bed, Organisation

Log = Callable[[str], None]

# Distinct registration times the elders draw from (a batch of registrations per office day).
REGISTRATION_TIMES = 1000

HOME_FIELDS = (
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "address",
    "community",
    "street",
    "district",
    "latitude",
    "longitude",
    "key_holder",
)
ELDER_FIELDS = (
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "name",
    "national_id",
    "birth_date",
    "sex",
    "phone",
    "household_registration",
    "economic_status",
    "special_statuses",
    "living_arrangement",
    "home",
    "community",
    "street",
    "district",
    "service_station",
    "medical_institution",
    "monitoring_consent",
    "monitoring_consent_at",
    "status",
    "notes",
    # blind indexes, filled by yiyang.demo.generate.seal_batch
    "national_id_hash",
    "national_id_p6",
    "national_id_p10",
    "national_id_p14",
    "phone_hash",
    "phone_p3",
    "phone_p7",
    "phone_s4",
)
MEMBER_FIELDS = ("id", "public_id", "created_at", "updated_at", "home", "name", "relation", "phone")
CONTACT_FIELDS = (
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "elder",
    "name",
    "relation",
    "phone",
    "priority",
    "is_key_holder",
)
ADMISSION_FIELDS = (
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "elder",
    "organisation",
    "bed",
    "admitted_on",
    "discharged_on",
    "discharge_reason",
    "note",
)
ASSIGNMENT_FIELDS = ("id", "public_id", "created_at", "updated_at", "elder", "helper", "since", "until")

# Demo accounts: username -> what it is (the command `demo_logins` prints them from the database).
DEMO_STATION_COMMUNITY = 0  # first community of 湖里街道
DEMO_INSTITUTION = 0  # 康颐护养院, in 湖里街道
# The people behind the demo accounts: (full name, qualification number). The names are made up;
# the qualification numbers are UNVERIFIED DEMO VALUES in no official format ("演示-" says so) and
# must never be mistaken for real certificates. Fixed rather than drawn, so that the seed's random
# sequence (and every elder it makes) stays as it was.
DEMO_PEOPLE: dict[str, tuple[str, str]] = {
    "bureau": ("陈志强", ""),
    "health": ("林淑华", ""),
    "street_huli": ("黄建平", ""),
    "centre_huli": ("吴丽萍", ""),
    "station": ("郑美玲", ""),
    "institution": ("许文杰", ""),
    "doctor": ("", "演示-执业-350206-0031"),  # the name is drawn (as before)
    "assessor_huli": ("张丽", "演示-评估员-350206-2024-017"),
    "assessor_district": ("蔡明辉", "演示-评估员-350206-2024-023"),
    "reviewer": ("王建国", "演示-评估员-350206-2023-004"),
}
PARALLEL_FROM = 20_000  # elders; below this the child process costs more than it saves


class DistrictExists(Exception):
    """The demo district is already in the database."""


@dataclass
class SeedReport:
    elders: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.elders / self.seconds if self.seconds else 0.0


def district_exists() -> bool:
    return Area.objects.filter(code=data.DISTRICT_CODE).exists()


def registered_target(elders: int) -> int:
    """How many of `elders` have local household registration (the letter's 59,000 of 102,000)."""
    return round(elders * data.FULL_REGISTERED / data.FULL_ELDERS)


class DistrictSeeder:
    """One run of the seed; `run()` writes everything in a single transaction."""

    def __init__(
        self,
        *,
        elders: int,
        seed: int,
        batch_size: int = 10_000,
        log: Log | None = None,
        parallel: bool | None = None,
    ) -> None:
        """`parallel`: generate in a child process while writing (default: for large loads)."""
        if elders < 0:
            raise ValueError("elders must not be negative")
        self.total = elders
        self.seed = seed
        self.batch_size = max(100, batch_size)
        self.log: Log = log or (lambda message: None)
        self.rng = random.Random(seed)
        self.now = timezone.now()
        # The elders' public ids follow the network's in time order (see People.uuid).
        self.people = People(self.rng, clock_ms=int(self.now.timestamp() * 1000))
        self.uuid = self.people.uuid
        self.parallel = parallel
        self.password = ""  # hashed in run(): with PBKDF2 that is part of the seed's cost
        self.counts: dict[str, int] = {}

    # ----------------------------------------------------------------------------------------- run
    def run(self) -> SeedReport:
        started = time.perf_counter()
        self.password = make_password(data.DEMO_PASSWORD)
        with transaction.atomic():
            if district_exists():
                raise DistrictExists(data.DISTRICT_CODE)
            tune_session_for_bulk_load()
            self.now_db = db_datetime(self.now)
            self._build_areas()
            self._build_organisations()
            self._build_beds()
            self._build_demo_staff()
            # Into (nearly) empty tables, building the elder indexes once at the end is much faster
            # (the other tables' indexes grow at their end anyway), and so is checking foreign keys.
            with deferred_indexes(
                indexes_of=[Elder],
                foreign_keys_of=[Home, Elder, HomeMember, EmergencyContact, Admission, HelperAssignment],
                enabled=Elder.objects.count() < self.total,
            ) as deferred:
                self._build_elders()
                self._build_admissions()
                self._build_helpers()
                if deferred:
                    self.log(
                        f"  重建延后的 {deferred} 个索引和外键约束…"
                        if connection.vendor == "postgresql"
                        else f"  重建延后的 {deferred} 个索引…"
                    )
            self._build_family()
            self._build_pending_devices()
            reset_sequences([Home, Elder, HomeMember, EmergencyContact, Admission, HelperAssignment])
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                entity_type="demo_seed",
                entity_id=data.DISTRICT_CODE,
                summary=f"生成演示数据：{self.total}名老年人（seed={self.seed}）",
                district=self.district,
            )
        seconds = time.perf_counter() - started
        return SeedReport(elders=self.total, seconds=seconds, counts=dict(self.counts))

    # --------------------------------------------------------------------------------------- areas
    def _build_areas(self) -> None:
        rng = self.rng
        self.district = Area.objects.create(code=data.DISTRICT_CODE, name=data.DISTRICT_NAME, level=AreaLevel.DISTRICT)
        self.streets = Area.objects.bulk_create(
            Area(
                code=f"{data.DISTRICT_CODE}{suffix}",
                name=name,
                level=AreaLevel.STREET,
                parent=self.district,
                district=self.district,
            )
            for name, suffix, *_ in data.STREETS
        )
        communities: list[Area] = []
        self.community_info: list[dict[str, Any]] = []
        for s, (_, _, lat, lng, names) in enumerate(data.STREETS):
            street = self.streets[s]
            for c, entry in enumerate(names):
                name, slug = entry.split(":")
                communities.append(
                    Area(
                        code=f"{street.code}{c + 1:03d}",
                        name=f"{name}社区",
                        level=AreaLevel.COMMUNITY,
                        parent=street,
                        district=self.district,
                        street=street,
                    )
                )
                self.community_info.append(
                    {
                        "street_index": s,
                        "slug": slug,
                        "lat": lat + (rng.random() - 0.5) * 0.024,
                        "lng": lng + (rng.random() - 0.5) * 0.030,
                        "roads": rng.sample(data.ROADS, 3),
                        "weight": 0.5 + rng.random(),
                    }
                )
        self.communities = Area.objects.bulk_create(communities)
        self.counts["streets"] = len(self.streets)
        self.counts["communities"] = len(self.communities)

    # ------------------------------------------------------------------------------- organisations
    def _org(self, kind: str, name: str, area: Area, lat: float, lng: float, **extra: Any) -> Organisation:
        street = area if area.level == AreaLevel.STREET else area.street
        assert street is not None
        rng = self.rng
        road = rng.choice(data.ROADS)
        return Organisation(
            kind=kind,
            name=name,
            area=area,
            street=street,
            district=self.district,
            address=f"{data.CITY_PREFIX}{road}{rng.randint(1, 999)}号",
            latitude=round(lat + (rng.random() - 0.5) * 0.004, 6),
            longitude=round(lng + (rng.random() - 0.5) * 0.004, 6),
            contact_name=self.people.name(local=True, female=rng.random() < 0.5),
            contact_phone=f"0592-{rng.randint(5000000, 6999999)}",
            **extra,
        )

    def _community_of_street(self, s: int, pick: int) -> tuple[Area, dict[str, Any]]:
        indexes = [i for i, info in enumerate(self.community_info) if info["street_index"] == s]
        i = indexes[pick % len(indexes)]
        return self.communities[i], self.community_info[i]

    def _build_organisations(self) -> None:
        rng = self.rng
        orgs: list[Organisation] = []
        self.bed_plan: list[tuple[int, int]] = []  # (index in orgs, beds)
        self.institution_slugs: list[str] = []
        for n, (name, slug, s, beds, ownership, integrated) in enumerate(data.INSTITUTIONS):
            community, info = self._community_of_street(s, n + 1)
            self.bed_plan.append((len(orgs), beds))
            self.institution_slugs.append(slug)
            orgs.append(
                self._org(
                    OrganisationKind.INSTITUTION,
                    name,
                    community,
                    info["lat"],
                    info["lng"],
                    ownership=ownership,
                    is_integrated_care=integrated,
                    licence_number=f"闽民养{data.DISTRICT_CODE}{2016 + n % 8}{n + 1:03d}",
                    filing_number=f"{data.DISTRICT_CODE}-YLJG-{2020 + n % 5}-{n + 1:03d}",
                    credit_code=credit_code(rng, "12" if ownership == Ownership.PUBLIC else "52", data.DISTRICT_CODE),
                )
            )
        self.centre_index: list[int] = []  # first care centre of each street
        centre_number = 0
        for s, count in enumerate(data.CARE_CENTRES_PER_STREET):
            street_name = data.STREETS[s][0]
            for k in range(count):
                if k == 0:
                    self.centre_index.append(len(orgs))
                    area, info = self.streets[s], {"lat": data.STREETS[s][2], "lng": data.STREETS[s][3]}
                    name = f"{street_name}综合养老服务照料中心"
                else:
                    area, info = self._community_of_street(s, 3 * k + 2)
                    name = f"{street_name}{area.name.removesuffix('社区')}片区照料中心"
                if centre_number in data.CARE_CENTRE_BEDS:
                    self.bed_plan.append((len(orgs), data.CARE_CENTRE_BEDS[centre_number]))
                orgs.append(
                    self._org(
                        OrganisationKind.CARE_CENTRE,
                        name,
                        area,
                        info["lat"],
                        info["lng"],
                        ownership=Ownership.PUBLIC_PRIVATE,
                        is_integrated_care=centre_number % 3 == 0,
                        credit_code=credit_code(rng, "52", data.DISTRICT_CODE),
                    )
                )
                centre_number += 1
        self.station_index: list[int] = []
        for community, info in zip(self.communities, self.community_info, strict=True):
            self.station_index.append(len(orgs))
            orgs.append(
                self._org(
                    OrganisationKind.STATION,
                    f"{community.name}养老服务站",
                    community,
                    info["lat"],
                    info["lng"],
                    ownership=Ownership.PUBLIC_PRIVATE if rng.random() < 0.7 else Ownership.PUBLIC,
                )
            )
        for k in range(data.COMPLEX_COUNT):
            community, info = self._community_of_street(k % len(self.streets), 2 * k + 4)
            if k in data.COMPLEX_BEDS:
                self.bed_plan.append((len(orgs), data.COMPLEX_BEDS[k]))
            orgs.append(
                self._org(
                    OrganisationKind.COMPLEX,
                    f"{community.name}“一老一小”综合体",
                    community,
                    info["lat"],
                    info["lng"],
                    ownership=Ownership.PUBLIC_PRIVATE,
                )
            )
        self.health_index: list[int] = []
        for s, (street_name, _, lat, lng, _) in enumerate(data.STREETS):
            self.health_index.append(len(orgs))
            orgs.append(
                self._org(
                    OrganisationKind.HEALTH_CENTRE,
                    f"{street_name}社区卫生服务中心",
                    self.streets[s],
                    lat,
                    lng,
                    ownership=Ownership.PUBLIC,
                    hospital_grade="1A",
                    credit_code=credit_code(rng, "12", data.DISTRICT_CODE),
                )
            )
        for k, (name, grade) in enumerate(data.HOSPITALS):
            community, info = self._community_of_street(k * 2 % len(self.streets), k + 5)
            orgs.append(
                self._org(
                    OrganisationKind.HOSPITAL,
                    name,
                    community,
                    info["lat"],
                    info["lng"],
                    ownership=Ownership.PUBLIC,
                    hospital_grade=grade,
                    credit_code=credit_code(rng, "12", data.DISTRICT_CODE),
                    licence_number=f"PDY{rng.randint(10_000_000, 99_999_999)}{data.DISTRICT_CODE}",
                )
            )
        for k, name in enumerate(data.CLINICS):
            community, info = self._community_of_street(k % len(self.streets), k + 7)
            orgs.append(
                self._org(
                    OrganisationKind.CLINIC,
                    name,
                    community,
                    info["lat"],
                    info["lng"],
                    ownership=Ownership.PRIVATE,
                    hospital_grade="none",
                )
            )
        self.orgs = Organisation.objects.bulk_create(orgs)
        for kind in OrganisationKind:
            self.counts[f"organisations.{kind.value}"] = sum(1 for o in self.orgs if o.kind == kind)

    # ---------------------------------------------------------------------------------------- beds
    def _build_beds(self) -> None:
        """Beds by state at the district's 60–75% occupancy; a small seed fills fewer beds, so that
        residents stay at most a tenth of its elders."""
        rng = self.rng
        full_residents = [round(beds * rng.uniform(*data.OCCUPANCY_RANGE)) for _, beds in self.bed_plan]
        wanted = min(self.total // 10, sum(full_residents))
        residents = _apportion(wanted, full_residents)
        beds: list[Bed] = []
        for (index, count), occupied in zip(self.bed_plan, residents, strict=True):
            org = self.orgs[index]
            buildings = "ABC"[: max(1, min(3, count // 120 + 1))]
            per_room = 2 if org.kind == OrganisationKind.INSTITUTION else 1
            unavailable = round(count * rng.uniform(0.01, 0.04))
            reserved = round(count * rng.uniform(0.01, 0.03))
            states = (
                [BedState.OCCUPIED] * occupied
                + [BedState.RESERVED] * min(reserved, count - occupied)
                + [BedState.UNAVAILABLE] * min(unavailable, max(0, count - occupied - reserved))
            )
            states += [BedState.FREE] * (count - len(states))
            rng.shuffle(states)
            for n, state in enumerate(states):
                building = buildings[n % len(buildings)]
                room_no = n // len(buildings) // per_room
                beds.append(
                    Bed(
                        organisation=org,
                        building=f"{building}栋",
                        room=f"{room_no // 20 + 1}{room_no % 20 + 1:02d}",
                        number=str(n // len(buildings) % per_room + 1),
                        state=state,
                    )
                )
        self.beds = Bed.objects.bulk_create(beds, batch_size=1000)
        # Resident slots: each occupied bed, in a shuffled order, with the community it lies in.
        self.slots: list[tuple[Bed, int]] = []
        community_index = {c.pk: i for i, c in enumerate(self.communities)}
        for bed in self.beds:
            if bed.state == BedState.OCCUPIED:
                org = bed.organisation
                if org.area_id in community_index:
                    ci = community_index[org.area_id]
                else:  # a street-level care centre: its residents come from any community of the street
                    ci = rng.choice([i for i, c in enumerate(self.communities) if c.street_id == org.street_id])
                self.slots.append((bed, ci))
        rng.shuffle(self.slots)
        self.counts["beds"] = len(self.beds)
        self.counts["residents"] = len(self.slots)

    # ---------------------------------------------------------------------------------- demo staff
    def _person(self, username: str, role: str, *, key: str = "", **extra: Any) -> User:
        """A demo account named as the person who uses it (`DEMO_PEOPLE[key or username]`)."""
        full_name, number = DEMO_PEOPLE[key or username]
        return self._user(username, role, full_name, qualification_number=number, **extra)

    def _user(self, username: str, role: str, full_name: str, **extra: Any) -> User:
        return User(
            username=username,
            password=self.password,
            full_name=full_name,
            phone=self.people.mobile(),
            role=role,
            **extra,
        )

    def _build_demo_staff(self) -> None:
        huli = self.streets[0]
        station_ci = DEMO_STATION_COMMUNITY
        station = self.orgs[self.station_index[station_ci]]
        institution = self.orgs[self.bed_plan[DEMO_INSTITUTION][0]]
        wanted = [
            self._person("bureau", Role.BUREAU_OFFICER, area=self.district),
            self._person("health", Role.HEALTH_OFFICER, area=self.district),
            self._person("street_huli", Role.STREET_STAFF, area=huli),
            self._person(
                "centre_huli",
                Role.CARE_CENTRE_STAFF,
                area=huli,
                organisation=self.orgs[self.centre_index[0]],
            ),
            self._person(
                f"station_{self.community_info[station_ci]['slug']}",
                Role.STATION_STAFF,
                key="station",
                area=self.communities[station_ci],
                organisation=station,
            ),
            self._person(
                f"institution_{self.institution_slugs[DEMO_INSTITUTION]}",
                Role.INSTITUTION_STAFF,
                key="institution",
                organisation=institution,
            ),
            self._user(
                "doctor",
                Role.MEDICAL_STAFF,
                self.people.name(local=True, female=False),
                qualification_number=DEMO_PEOPLE["doctor"][1],
                is_assessor=True,
                organisation=self.orgs[self.health_index[0]],
            ),
            # The people who assess and review (seed_assessments signs the demo records with them).
            self._person("assessor_huli", Role.STREET_STAFF, area=huli, is_assessor=True),
            self._person("assessor_district", Role.HEALTH_OFFICER, area=self.district, is_assessor=True),
            self._person("reviewer", Role.HEALTH_OFFICER, area=self.district),
            self._user(
                "helper",
                Role.HELPER,
                self.people.name(local=True, female=True),
                area=self.communities[station_ci],
            ),
            User(
                username="admin",
                password=self.password,
                full_name="系统管理员（演示）",
                is_staff=True,
                is_superuser=True,
            ),
        ]
        taken = set(User.objects.filter(username__in=[u.username for u in wanted]).values_list("username", flat=True))
        for username in sorted(taken):
            self.log(f"  用户名 {username} 已存在，保留原账号")
        created = User.objects.bulk_create([u for u in wanted if u.username not in taken])
        self.demo_users = {u.username: u for u in created}
        self.counts["demo_users"] = len(created)

    # -------------------------------------------------------------------------------------- elders
    def _elder_plan(self) -> ElderPlan:
        existing: frozenset[str] = frozenset()
        if Elder.objects.exists():  # keep clear of IDs already registered elsewhere in the database
            existing = frozenset(Elder.objects.values_list("national_id", flat=True).iterator(chunk_size=20_000))
        communities = [
            CommunityPlan(
                pk=c.pk,
                street_id=cast(int, c.street_id),
                name=c.name,
                street_name=data.STREETS[info["street_index"]][0],
                lat=info["lat"],
                lng=info["lng"],
                roads=tuple(info["roads"]),
                weight=info["weight"],
                station_id=self.orgs[self.station_index[ci]].pk,
                health_centre_id=self.orgs[self.health_index[info["street_index"]]].pk,
            )
            for ci, (c, info) in enumerate(zip(self.communities, self.community_info, strict=True))
        ]
        return ElderPlan(
            total=self.total,
            seed=self.seed,
            batch_size=self.batch_size,
            now=self.now_db,
            uuid_clock_ms=self.people.clock_ms + 1_000,
            district_id=self.district.pk,
            communities=communities,
            slots=[(bed.pk, bed.organisation_id, ci) for bed, ci in self.slots],
            registered=registered_target(self.total),
            first_home_id=next_id(Home),
            first_elder_id=next_id(Elder),
            first_member_id=next_id(HomeMember),
            first_contact_id=next_id(EmergencyContact),
            existing_ids=existing,
            registration_times=self._registration_times(),
            sealer=FieldSealer(),  # keys fetched here, before the generator may fork
        )

    def _registration_times(self) -> tuple[str, ...]:
        """When the demo's elders were registered, in database form: working hours on days 2,700 to
        3,700 days before the reference date (2015–2018), i.e. before the oldest demo stay (at most
        400 + 6 × 365 days before it), the helper assignments (180 days) and the assessments (the
        last 13 months). Derived from the seed alone, so a reseed gives the same times."""
        rng = random.Random(f"registration-times-{self.seed}")
        ref = data.REFERENCE_DATE
        zone = timezone.get_current_timezone()
        times = []
        for _ in range(REGISTRATION_TIMES):
            day = ref - timedelta(days=2700 + int(rng.random() * 1000))
            minute = 8 * 60 + 30 + int(rng.random() * 9 * 60)
            at = datetime.combine(day, dt_time(minute // 60, minute % 60), tzinfo=zone)
            times.append(db_datetime(at))
        return tuple(times)

    def _build_elders(self) -> None:
        """Elders with their homes, home members and emergency contacts, written batch by batch
        while the next batch is generated (in a child process for large loads)."""
        plan = self._elder_plan()
        writers = (
            TableWriter(Home, HOME_FIELDS),
            TableWriter(Elder, ELDER_FIELDS),
            TableWriter(HomeMember, MEMBER_FIELDS),
            TableWriter(EmergencyContact, CONTACT_FIELDS),
        )
        in_child = self.parallel if self.parallel is not None else self.total >= PARALLEL_FROM
        started = time.perf_counter()
        reported = 0
        outcome: ElderOutcome | None = None
        items = produce(lambda: generate_elders(plan), in_child=in_child, encode=encode_item, decode=decode_item)
        for item in items:
            if isinstance(item, ElderOutcome):
                outcome = item
                continue
            for writer, rows in zip(writers, (item.homes, item.elders, item.members, item.contacts), strict=True):
                writer.write(rows)
            tenth = item.done * 10 // max(1, self.total)
            if tenth > reported and item.done < self.total:
                reported = tenth
                rate = item.done / (time.perf_counter() - started)
                self.log(
                    f"  老年人 {item.done:,}/{self.total:,}（{item.done * 100 // self.total}%），{rate:,.0f} 人/秒"
                )
        assert outcome is not None
        self.outcome = outcome
        homes, elders, members, contacts = (w.rows_written for w in writers)
        self.counts.update(
            elders=elders,
            homes=homes,
            home_members=members,
            emergency_contacts=contacts,
            registered=plan.registered,
        )

    # ---------------------------------------------------------------------------------- admissions
    def _build_admissions(self) -> None:
        rng = self.rng
        now = self.now_db
        ref = data.REFERENCE_DATE.toordinal()
        rows: list[tuple[Any, ...]] = []
        next_pk = next_id(Admission)
        for elder_pk, bed_pk, org_pk in self.outcome.resident_stays:
            admitted_on = date.fromordinal(ref - int(rng.random() * 5 * 365))
            rows.append((next_pk, self.uuid(), now, now, elder_pk, org_pk, bed_pk, admitted_on, None, "", ""))
            next_pk += 1
        # A few past stays of elders now at home (some of the residents' beds turned over).
        institution_beds = [b for b in self.beds if b.organisation.kind == OrganisationKind.INSTITUTION]
        reasons = [DischargeReason.HOME, DischargeReason.HOME, DischargeReason.HOSPITAL, DischargeReason.TRANSFER]
        for elder_pk in self.outcome.past_stay_candidates:
            if not institution_beds:
                break
            bed = institution_beds[int(rng.random() * len(institution_beds))]
            admitted = ref - 400 - int(rng.random() * 6 * 365)
            discharged = admitted + 30 + int(rng.random() * 300)
            rows.append(
                (
                    next_pk,
                    self.uuid(),
                    now,
                    now,
                    elder_pk,
                    bed.organisation_id,
                    bed.pk,
                    date.fromordinal(admitted),
                    date.fromordinal(discharged),
                    reasons[int(rng.random() * len(reasons))].value,
                    "",
                )
            )
            next_pk += 1
        TableWriter(Admission, ADMISSION_FIELDS).write(rows)
        self.counts["admissions"] = len(rows)

    # ------------------------------------------------------------------------------------- helpers
    def _build_helpers(self) -> None:
        """The demo helper gets about ten living-alone elders near its community; helpers (助老员) of
        each community share the rest, `HELPER_CASELOAD` each."""
        rng = self.rng
        now = self.now_db
        since = data.REFERENCE_DATE - timedelta(days=180)
        pairs: list[tuple[int, int]] = []  # (elder, helper)
        demo_helper = self.demo_users.get("helper")
        demo_ci = DEMO_STATION_COMMUNITY
        alone = self.outcome.alone_by_community
        if demo_helper is not None:
            street_id = self.communities[demo_ci].street_id
            order = [demo_ci] + [
                ci for ci, c in enumerate(self.communities) if c.street_id == street_id and ci != demo_ci
            ]
            order += [ci for ci in range(len(self.communities)) if ci not in order]
            for ci in order:
                while alone.get(ci) and len(pairs) < 10:
                    pairs.append((alone[ci].pop(0), demo_helper.pk))
                if len(pairs) >= 10:
                    break
        helpers: list[User] = []
        helper_of: list[tuple[int, int]] = []  # (elder, index in helpers)
        for ci in sorted(alone):
            elders = alone[ci]
            for n in range(0, len(elders), data.HELPER_CASELOAD):
                account = User(
                    username=f"zly_{self.communities[ci].code}_{n // data.HELPER_CASELOAD + 1:02d}",
                    password=make_password(None),
                    full_name=self.people.name(local=True, female=rng.random() < 0.7),
                    phone=self.people.mobile(),
                    role=Role.HELPER,
                    area=self.communities[ci],
                )
                helper_of.extend((e, len(helpers)) for e in elders[n : n + data.HELPER_CASELOAD])
                helpers.append(account)
        created = User.objects.bulk_create(helpers, batch_size=1000)
        pairs.extend((elder_pk, created[h].pk) for elder_pk, h in helper_of)
        next_pk = next_id(HelperAssignment)
        rows = [
            (next_pk + n, self.uuid(), now, now, elder_pk, helper_pk, since, None)
            for n, (elder_pk, helper_pk) in enumerate(pairs)
        ]
        TableWriter(HelperAssignment, ASSIGNMENT_FIELDS).write(rows)
        self.counts["helpers"] = len(created) + (1 if demo_helper is not None else 0)
        self.counts["helper_assignments"] = len(rows)

    def _build_family(self) -> None:
        """The demo family member is the first emergency contact of an elder of the demo community."""
        if "family" in self.demo_users or User.objects.filter(username="family").exists():
            return
        candidates = self.outcome.family_candidate
        if not candidates:
            return
        ci = DEMO_STATION_COMMUNITY if DEMO_STATION_COMMUNITY in candidates else min(candidates)
        elder_pk, name, relation, phone = candidates[ci]
        user = User.objects.create(
            username="family",
            password=self.password,
            full_name=name,
            phone=phone,
            role=Role.FAMILY,
        )
        FamilyLink.objects.create(elder_id=elder_pk, user=user, relation=relation)
        self.demo_users["family"] = user
        self.counts["demo_users"] += 1

    def _build_pending_devices(self) -> None:
        """Devices that reported before anyone registered them: the queue the street's device manager
        works through (the home page's device card and /devices/pending/ are not empty in the demo)."""
        for protocol, identifier, vendor, kind in PENDING_DEVICES:
            PendingDevice.objects.get_or_create(
                protocol=protocol,
                identifier=identifier,
                defaults={
                    "vendor": vendor,
                    "kind_hint": kind,
                    "first_seen_at": self.now,
                    "last_seen_at": self.now,
                    "message_count": 3,
                },
            )


# Unregistered devices that have reported: (protocol, identifier, vendor, kind hint).
PENDING_DEVICES = (
    (DeviceProtocol.IW_TCP, "868120300000017", "演示手表厂", "watch"),
    (DeviceProtocol.IW_TCP, "868120300000025", "演示手表厂", "watch"),
    (DeviceProtocol.HTTP_RADAR, "AA:BB:CC:10:00:01", "演示雷达厂", "fall_radar"),
)


def _apportion(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), never above a weight."""
    whole = sum(weights)
    if whole == 0 or total == 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return [min(s, w) for s, w in zip(shares, weights, strict=True)]
