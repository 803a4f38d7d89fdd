"""What an account may do: its role's defaults plus what was granted minus what was withdrawn, and
how a release that changes a role's defaults reaches accounts that already exist."""

import pytest

from yiyang.accounts.access import (
    PermissionDeviations,
    PermissionMark,
    PermSource,
    deviations_for,
    deviations_tidy,
    effective_perms,
    has_perm,
    permission_marks,
    user_perms,
)
from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.accounts.permissions import ROLE_DEFAULT_PERMISSIONS, Perm, default_permissions
from yiyang.core.testing import set_permissions

FAMILY = frozenset(default_permissions(Role.FAMILY))
HELPER = frozenset(default_permissions(Role.HELPER))


@pytest.mark.parametrize(
    ("role", "granted", "withdrawn", "expected"),
    [
        # nothing stored: exactly the role's defaults
        (Role.FAMILY, [], [], FAMILY),
        # a grant beyond the role
        (Role.FAMILY, ["audit.view"], [], FAMILY | {"audit.view"}),
        # a withdrawn default
        (Role.FAMILY, [], ["alerts.view"], FAMILY - {"alerts.view"}),
        # both at once
        (Role.HELPER, ["beds.manage"], ["alerts.handle"], (HELPER | {"beds.manage"}) - {"alerts.handle"}),
        # a grant of a default is no extra; a withdrawal of a non-default takes nothing away
        (Role.FAMILY, ["elders.view"], ["audit.view"], FAMILY),
        # granted and withdrawn: withdrawn wins
        (Role.FAMILY, ["audit.view"], ["audit.view"], FAMILY),
        # a name this release does not know (removed since it was granted) is ignored, never granted
        (Role.FAMILY, ["reports.view", "audit.view"], ["reports.view"], FAMILY | {"audit.view"}),
        # every default withdrawn
        (Role.FAMILY, [], sorted(FAMILY), frozenset()),
        # no role (a superuser's or a misconfigured account): only grants
        ("", ["elders.view"], [], frozenset({"elders.view"})),
        ("no_such_role", [], ["elders.view"], frozenset()),
    ],
)
def test_effective_set(role, granted, withdrawn, expected):
    assert effective_perms(role=role, granted=granted, withdrawn=withdrawn) == expected


@pytest.mark.parametrize(
    ("role", "wanted", "granted", "withdrawn"),
    [
        (Role.FAMILY, FAMILY, [], []),
        (Role.FAMILY, FAMILY | {"audit.view", "beds.manage"}, ["audit.view", "beds.manage"], []),
        (Role.FAMILY, FAMILY - {"alerts.view", "devices.view"}, [], ["alerts.view", "devices.view"]),
        (Role.FAMILY, {"elders.view", "audit.view"}, ["audit.view"], sorted(FAMILY - {"elders.view"})),
        (Role.FAMILY, FAMILY | {"reports.view"}, [], []),  # unknown names are dropped
        ("", {"elders.view"}, ["elders.view"], []),
    ],
)
def test_deviations_for_a_wanted_set(role, wanted, granted, withdrawn):
    deviations = deviations_for(role=role, wanted=wanted)
    assert deviations == PermissionDeviations(granted=granted, withdrawn=withdrawn)
    assert effective_perms(role=role, granted=granted, withdrawn=withdrawn) == frozenset(wanted) - {"reports.view"}


@pytest.mark.parametrize(
    ("role", "granted", "withdrawn", "kept_granted", "kept_withdrawn"),
    [
        # family → helper: alerts.handle was granted, the helper role has it by default: dropped;
        # audit.view stays granted; devices.view stays withdrawn (a helper default too)
        (Role.HELPER, ["alerts.handle", "audit.view"], ["devices.view"], ["audit.view"], ["devices.view"]),
        # street staff → family: elders.import was withdrawn, family never had it: dropped
        (Role.FAMILY, [], ["elders.import", "alerts.view"], [], ["alerts.view"]),
        # unknown names go
        (Role.FAMILY, ["reports.view"], ["reports.view"], [], []),
    ],
)
def test_tidy_drops_deviations_that_mean_nothing_for_the_role(role, granted, withdrawn, kept_granted, kept_withdrawn):
    assert deviations_tidy(role=role, granted=granted, withdrawn=withdrawn) == PermissionDeviations(
        granted=kept_granted, withdrawn=kept_withdrawn
    )


@pytest.mark.django_db
def test_a_permission_added_to_a_role_reaches_existing_accounts(world, monkeypatch):
    # given: helpers as they are today, one with nothing stored, one with a withdrawal
    helper = world.users["helper0"]
    other = set_permissions(world.users["helper1"], *(HELPER - {"alerts.handle"}))
    assert not has_perm(helper, Perm.ORGS_VIEW)
    # when: a release adds organisations.view to the helper role's defaults
    monkeypatch.setitem(ROLE_DEFAULT_PERMISSIONS, Role.HELPER, ROLE_DEFAULT_PERMISSIONS[Role.HELPER] | {Perm.ORGS_VIEW})
    helper, other = User.objects.get(pk=helper.pk), User.objects.get(pk=other.pk)
    # then: both hold it without anyone touching the accounts; the withdrawal still stands
    assert user_perms(helper) == HELPER | {"organisations.view"}
    assert user_perms(other) == (HELPER | {"organisations.view"}) - {"alerts.handle"}
    assert (helper.permissions_granted, helper.permissions_withdrawn) == ([], [])
    assert (other.permissions_granted, other.permissions_withdrawn) == ([], ["alerts.handle"])


@pytest.mark.django_db
def test_a_withdrawn_permission_stays_withdrawn_when_the_defaults_change(world, monkeypatch):
    # given: alerts.view withdrawn from a family member
    family = set_permissions(world.users["family0"], *(FAMILY - {"alerts.view"}))
    # when: a release changes the family role's defaults (adds one, keeps alerts.view)
    monkeypatch.setitem(ROLE_DEFAULT_PERMISSIONS, Role.FAMILY, ROLE_DEFAULT_PERMISSIONS[Role.FAMILY] | {Perm.ORGS_VIEW})
    # then
    family = User.objects.get(pk=family.pk)
    assert not has_perm(family, Perm.ALERTS_VIEW)
    assert has_perm(family, Perm.ORGS_VIEW)


@pytest.mark.django_db
def test_a_granted_permission_stays_when_a_release_takes_it_out_of_the_role(world, monkeypatch):
    # given: audit.view granted to a helper
    helper = world.users["helper0"]
    helper.permissions_granted = ["audit.view"]
    helper.save(update_fields=["permissions_granted"])
    # when: a release drops assessments.view from the helper role
    monkeypatch.setitem(
        ROLE_DEFAULT_PERMISSIONS, Role.HELPER, ROLE_DEFAULT_PERMISSIONS[Role.HELPER] - {Perm.ASSESSMENTS_VIEW}
    )
    # then: the default is gone, the officer's grant is not
    assert user_perms(User.objects.get(pk=helper.pk)) == (HELPER | {"audit.view"}) - {"assessments.view"}


@pytest.mark.django_db
def test_marks_say_why_each_permission_is_held_or_not(world):
    family = world.users["family0"]
    family.permissions_granted = ["audit.view"]
    family.permissions_withdrawn = ["alerts.view"]
    family.save(update_fields=["permissions_granted", "permissions_withdrawn"])
    marks = {str(mark.perm): mark for mark in permission_marks(family)}
    assert [str(mark.perm) for mark in permission_marks(family)] == [str(p) for p in Perm]
    assert marks["elders.view"] == PermissionMark(Perm.ELDERS_VIEW, held=True, source=PermSource.ROLE)
    assert marks["audit.view"] == PermissionMark(Perm.AUDIT_VIEW, held=True, source=PermSource.GRANTED)
    assert marks["alerts.view"] == PermissionMark(Perm.ALERTS_VIEW, held=False, source=PermSource.WITHDRAWN)
    assert marks["beds.manage"] == PermissionMark(Perm.BEDS_MANAGE, held=False, source=PermSource.NONE)
    assert {code for code, mark in marks.items() if mark.held} == user_perms(family)


@pytest.mark.django_db
def test_superuser_and_inactive_accounts_ignore_their_deviations(world):
    admin = User.objects.create_superuser(username="root", password="x", permissions_withdrawn=["elders.view"])
    assert user_perms(admin) == frozenset(str(p) for p in Perm)
    bureau = world.users["bureau"]
    bureau.is_active = False
    assert user_perms(bureau) == frozenset()
