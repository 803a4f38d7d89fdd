"""The upgrade of deployed accounts: stored permission lists become deviations from the role."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from yiyang.accounts.access import user_perms
from yiyang.accounts.models import User
from yiyang.accounts.permissions import default_permissions

conversion = importlib.import_module("yiyang.accounts.migrations.0004_user_permissions_to_deviations")

BEFORE = ("accounts", "0003_user_permission_deviations")
AFTER = ("accounts", "0005_user_stop_using_permissions")
# The current models match the latest migration only; tests end there.
LATEST = ("accounts", "0007_user_qualification_number")
STREET = conversion.ROLE_DEFAULTS_AT_CONVERSION["street_staff"]


@pytest.mark.parametrize(
    ("role", "stored", "granted", "withdrawn"),
    [
        # seeded from the role and never touched
        ("street_staff", sorted(STREET), [], []),
        # an officer granted one and withdrew one
        ("street_staff", sorted((STREET | {"audit.view"}) - {"elders.export"}), ["audit.view"], ["elders.export"]),
        # everything withdrawn (but what monitoring introduced: the list may predate it)
        ("street_staff", [], [], sorted(STREET - conversion.ADDED_BY_MONITORING_RELEASE)),
        # a list seeded before alerts.* existed: the new defaults reach it
        ("helper", ["assessments.view", "devices.view", "elders.view"], [], []),
        # an older default missing is kept withdrawn
        ("helper", ["alerts.handle", "alerts.view", "devices.view", "elders.view"], [], ["assessments.view"]),
        # names that are no permission, duplicates and junk are dropped
        ("family", ["alerts.view", "assessments.view", "devices.view", "elders.view", "x.y", 3, "elders.view"], [], []),
        # a value that is not a list holds nothing
        ("family", None, [], ["assessments.view", "elders.view"]),
        # no role (a superuser): everything stored is a grant
        ("", ["audit.view"], ["audit.view"], []),
        ("retired_role", ["audit.view"], ["audit.view"], []),
    ],
)
def test_conversion_splits_a_stored_list_into_deviations(role, stored, granted, withdrawn):
    assert conversion.split_permissions(role=role, stored=stored) == (granted, withdrawn)


@pytest.mark.parametrize("role", sorted(conversion.ROLE_DEFAULTS_AT_CONVERSION))
def test_reversing_gives_the_stored_list_back(role):
    defaults = conversion.ROLE_DEFAULTS_AT_CONVERSION[role]
    # a withdrawn older default round-trips (a missing monitoring one is read as "seeded before")
    older = sorted(defaults - conversion.ADDED_BY_MONITORING_RELEASE)[0]
    stored = sorted((defaults - {older}) | {"audit.view"})
    granted, withdrawn = conversion.split_permissions(role=role, stored=stored)
    assert conversion.join_permissions(role=role, granted=granted, withdrawn=withdrawn) == stored


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_accounts_and_new_defaults_reach_them():
    # given: accounts as the previous release stored them
    _migrate(BEFORE)
    try:
        old_user = MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("accounts", "User")
        old_user.objects.create(username="untouched", role="street_staff", permissions=sorted(STREET))
        old_user.objects.create(
            username="edited",
            role="street_staff",
            permissions=sorted((STREET | {"audit.view"}) - {"elders.export"}),
        )
        old_user.objects.create(username="old_helper", role="helper", permissions=["elders.view"])
        # when
        _migrate(AFTER)
    finally:
        _migrate(LATEST)
    # then: deviations from the role at conversion, and today's role defaults on top
    users = {u.username: u for u in User.objects.all()}
    assert (users["untouched"].permissions_granted, users["untouched"].permissions_withdrawn) == ([], [])
    assert (users["edited"].permissions_granted, users["edited"].permissions_withdrawn) == (
        ["audit.view"],
        ["elders.export"],
    )
    assert users["old_helper"].permissions_withdrawn == ["assessments.view"]
    street_today = frozenset(default_permissions("street_staff"))
    assert user_perms(users["untouched"]) == street_today
    assert user_perms(users["edited"]) == (street_today | {"audit.view"}) - {"elders.export"}
    # seeded before monitoring: gains alerts.* and devices.*; the older missing default stays withdrawn
    assert user_perms(users["old_helper"]) == frozenset(default_permissions("helper")) - {"assessments.view"}


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_to_the_stored_lists():
    # given: an account converted, then changed and one created under the new release
    _migrate(BEFORE)
    try:
        old_user = MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("accounts", "User")
        old_user.objects.create(username="edited", role="family", permissions=["audit.view", "elders.view"])
        _migrate(AFTER)
        new_user = MigrationExecutor(connection).loader.project_state(AFTER).apps.get_model("accounts", "User")
        new_user.objects.create(username="new_family", role="family", permissions_withdrawn=["alerts.view"])
        # when
        _migrate(BEFORE)
        # then
        old_user = MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("accounts", "User")
        stored = dict(old_user.objects.values_list("username", "permissions"))
        assert stored == {
            # the monitoring defaults it now holds are written back too
            "edited": ["alerts.view", "audit.view", "devices.view", "elders.view"],
            "new_family": ["assessments.view", "devices.view", "elders.view"],
        }
    finally:
        _migrate(LATEST)
