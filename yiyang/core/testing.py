"""A small, fully-known district for tests: two streets, two communities each, one of every kind of
organisation, and an account for every role in both streets. Lives in the package so every app's
tests (and the end-to-end tests) share one picture of the world."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from yiyang.core.national_id import make_national_id

PASSWORD = "Test-pass-123"  # noqa: S105


@dataclass
class World:
    district: Any
    streets: list[Any]
    communities: list[list[Any]]
    orgs: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    elders: dict[str, Any] = field(default_factory=dict)


def national_id(sequence: int, birth: date = date(1950, 3, 15), area: str = "350206") -> str:
    return make_national_id(area, birth, sequence)


def build_world() -> World:
    from yiyang.accounts.choices import Role
    from yiyang.accounts.models import User
    from yiyang.areas.models import Area
    from yiyang.elders.models import FamilyLink, HelperAssignment
    from yiyang.organisations.choices import BedState, OrganisationKind
    from yiyang.organisations.models import Admission, Bed, Organisation

    district = Area.objects.create(code="350206", name="测试区", level="district")
    streets, communities = [], []
    for s in range(2):
        street = Area.objects.create(
            code=f"350206{s + 1:03d}", name=f"第{s + 1}街道", level="street", parent=district, district=district
        )
        streets.append(street)
        communities.append(
            [
                Area.objects.create(
                    code=f"350206{s + 1:03d}{c + 1:03d}",
                    name=f"第{s + 1}街道第{c + 1}社区",
                    level="community",
                    parent=street,
                    district=district,
                    street=street,
                )
                for c in range(2)
            ]
        )
    world = World(district=district, streets=streets, communities=communities)

    def org(key: str, kind: str, area: Any, **extra: Any) -> Any:
        street = area if area.level == "street" else area.street
        world.orgs[key] = Organisation.objects.create(
            kind=kind, name=f"{key}机构", area=area, street=street, district=district, **extra
        )
        return world.orgs[key]

    for s in range(2):
        community = communities[s][0]
        org(f"institution{s}", OrganisationKind.INSTITUTION, community, is_integrated_care=True, licence_number=f"L{s}")
        org(f"station{s}", OrganisationKind.STATION, community)
        org(f"centre{s}", OrganisationKind.CARE_CENTRE, streets[s])
        org(f"health{s}", OrganisationKind.HEALTH_CENTRE, community)
        for n in range(3):
            Bed.objects.create(organisation=world.orgs[f"institution{s}"], building="A", room="101", number=str(n + 1))

    def user(key: str, role: str, **scope: Any) -> Any:
        account = User.objects.create_user(username=key, password=PASSWORD, full_name=key, role=role, **scope)
        world.users[key] = account
        return account

    for s in range(2):
        user(f"street{s}", Role.STREET_STAFF, area=streets[s])
        user(f"station{s}", Role.STATION_STAFF, area=communities[s][0], organisation=world.orgs[f"station{s}"])
        user(f"centre{s}", Role.CARE_CENTRE_STAFF, area=streets[s], organisation=world.orgs[f"centre{s}"])
        user(f"institution{s}", Role.INSTITUTION_STAFF, organisation=world.orgs[f"institution{s}"])
        user(f"medical{s}", Role.MEDICAL_STAFF, organisation=world.orgs[f"health{s}"])
        user(f"helper{s}", Role.HELPER, area=communities[s][0])
        user(f"family{s}", Role.FAMILY)
        # Same place as street{s}, but the role's rights withdrawn: sees nothing, may do nothing.
        set_permissions(user(f"street{s}_noright", Role.STREET_STAFF, area=streets[s]))
        # Same street, may view but not change, create, import or export.
        readonly = user(f"street{s}_readonly", Role.STREET_STAFF, area=streets[s])
        set_permissions(readonly, "areas.view", "elders.view", "organisations.view")
    user("bureau", Role.BUREAU_OFFICER, area=district)
    user("health_officer", Role.HEALTH_OFFICER, area=district)

    for s in range(2):
        for key, seq in ((f"elder{s}", 11 + s * 10), (f"resident{s}", 13 + s * 10)):
            world.elders[key] = create_elder(
                world,
                s,
                seq,
                name=f"{key}老人",
                service_station=world.orgs[f"station{s}"],
                medical_institution=world.orgs[f"health{s}"],
            )
        bed = Bed.objects.filter(organisation=world.orgs[f"institution{s}"]).first()
        assert bed is not None
        Admission.objects.create(
            elder=world.elders[f"resident{s}"],
            organisation=world.orgs[f"institution{s}"],
            bed=bed,
            admitted_on=date(2025, 1, 1),
        )
        bed.state = BedState.OCCUPIED
        bed.save(update_fields=["state"])
        HelperAssignment.objects.create(
            elder=world.elders[f"elder{s}"], helper=world.users[f"helper{s}"], since=date(2025, 1, 1)
        )
        FamilyLink.objects.create(elder=world.elders[f"elder{s}"], user=world.users[f"family{s}"], relation="子女")
    mark_assessors(world)
    return world


def create_elder(
    world: World, street: int, seq: int, *, name: str, sex: str = "M", phone: str = "", **extra: Any
) -> Any:
    """An elder in the first community of `world.streets[street]`, born 1950-03-15, with the national
    ID of sequence `seq` and (unless given) the phone 1380000`seq`; `extra` sets any other field."""
    from yiyang.elders.models import Elder

    return Elder.objects.create(
        name=name,
        national_id=national_id(seq),
        birth_date=date(1950, 3, 15),
        sex=sex,
        phone=phone or f"1380000{seq:04d}",
        community=world.communities[street][0],
        street=world.streets[street],
        district=world.district,
        **extra,
    )


def add_homes(world: World, *, monitoring_consent: bool = False) -> World:
    """elder0 and elder1 get a home (address 第N街道幸福里N号, a key holder) and two emergency contacts
    in calling order, the second holding a key; `monitoring_consent` is recorded on the elder."""
    from yiyang.elders.models import EmergencyContact, Home

    for s in range(2):
        elder = world.elders[f"elder{s}"]
        home = Home.objects.create(
            address=f"第{s + 1}街道幸福里{s + 1}号",
            community=elder.community,
            street=elder.street,
            district=elder.district,
            key_holder="邻居王阿姨",
        )
        elder.home = home
        elder.monitoring_consent = monitoring_consent
        elder.save(update_fields=["home", "monitoring_consent"])
        EmergencyContact.objects.create(elder=elder, name="儿子", relation="子女", phone="13800000001", priority=1)
        EmergencyContact.objects.create(
            elder=elder, name="女儿", relation="子女", phone="13800000002", priority=2, is_key_holder=True
        )
    return world


def set_permissions(user: Any, *perms: str) -> Any:
    """Make the account hold exactly `perms` (none when none are given), stored as deviations from
    its role as an officer's edit stores them."""
    from yiyang.accounts.access import deviations_for

    deviations = deviations_for(role=user.role, wanted=perms)
    user.permissions_granted, user.permissions_withdrawn = deviations.granted, deviations.withdrawn
    user.save(update_fields=["permissions_granted", "permissions_withdrawn"])
    return user


def grant_permissions(user: Any, *perms: str) -> Any:
    """Give the account these permissions on top of what it holds, as an officer would."""
    from yiyang.accounts.access import deviations_for, effective_perms

    held = effective_perms(role=user.role, granted=user.permissions_granted, withdrawn=user.permissions_withdrawn)
    deviations = deviations_for(role=user.role, wanted=held | set(perms))
    user.permissions_granted, user.permissions_withdrawn = deviations.granted, deviations.withdrawn
    user.save(update_fields=["permissions_granted", "permissions_withdrawn"])
    return user


def mark_assessors(world: World) -> World:
    """Give the assessor qualification (User.is_assessor) to the street staff, medical staff and
    institution staff of both streets: the accounts that may draft and submit assessments. Station
    and care-centre staff keep `assessments.create` without the qualification."""
    for s in range(2):
        for key in (f"street{s}", f"medical{s}", f"institution{s}"):
            account = world.users[key]
            account.is_assessor = True
            account.save(update_fields=["is_assessor"])
    return world


# Query values no filter accepts, for the "permission before validation" rows of every permission matrix.
BAD_QUERY = dict.fromkeys(("status", "street", "community", "organisation", "elder", "kind", "severity", "category", "level", "parent", "scale", "start", "end", "since", "until", "open", "online", "bound", "living_alone", "age_band", "economic_status", "after", "state", "adapter"), "~")  # fmt: skip


def assert_permission_before_body(call: Callable[..., Any], case: Any, world: World) -> None:
    """A caller without the right learns nothing about a write's body rules: an empty body answers
    403/404 exactly as a valid one does, never a 400 listing the fields. `case` is a matrix row
    (a dataclass with `data`, `without` and `without_status`); `call(case, world, username)` sends it."""
    response = call(dataclasses.replace(case, data=lambda w: {}), world, case.without)
    assert response.status_code == case.without_status, response.content[:500]


def assert_permission_before_query(call: Callable[..., Any], case: Any, world: World) -> None:
    """A caller without the right gets for a query no filter accepts exactly what it gets for a valid
    one (403/404, or its own empty answer), never a 400 naming the filters."""

    def with_bad_query(w: World) -> str:
        path = case.path(w)
        return path + ("&" if "?" in path else "?") + urlencode(BAD_QUERY)

    response = call(dataclasses.replace(case, path=with_bad_query), world, case.without)
    assert response.status_code != 400, response.content[:500]
