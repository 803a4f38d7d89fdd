"""Turn each account's stored permission list into deviations from its role.

granted = stored − role defaults, withdrawn = role defaults − stored. The role defaults are frozen
below as they stood when the lists were last seeded (the release before this one), not imported
from `yiyang.accounts.permissions`: a permission added to a role later must reach the converted
account, not be recorded as withdrawn from it.

A list lacking one of these defaults cannot say by itself whether an officer withdrew it or the list
predates it. For the permissions the monitoring release introduced (alerts.*, devices.*) it is taken
as predating: accounts seeded before that release never held them, and a helper or station without
`alerts.handle` cannot acknowledge a fall. Any other missing default is kept withdrawn: nothing is
granted that may have been taken away.

Names that were not permissions then are dropped. Reversing writes the effective list back.
"""

from collections.abc import Iterable
from typing import Any

from django.db import migrations

_ELDERS = ["elders.view", "elders.change", "elders.export"]
_AREA_READ = ["areas.view", "organisations.view"]
_ASSESS = ["assessments.view", "assessments.create"]
_ALERTS_HANDLE = ["alerts.view", "alerts.handle"]
_DEVICES = ["devices.view", "devices.manage"]

KNOWN_AT_CONVERSION = frozenset(
    {
        "accounts.manage",
        "alerts.configure",
        "alerts.handle",
        "alerts.supervise",
        "alerts.view",
        "areas.view",
        "assessments.create",
        "assessments.policy",
        "assessments.review",
        "assessments.view",
        "audit.view",
        "beds.manage",
        "devices.manage",
        "devices.view",
        "elders.change",
        "elders.create",
        "elders.export",
        "elders.import",
        "elders.view",
        "organisations.change",
        "organisations.view",
    }
)

ROLE_DEFAULTS_AT_CONVERSION: dict[str, frozenset[str]] = {
    "bureau_officer": KNOWN_AT_CONVERSION,
    "health_officer": frozenset(
        [*_AREA_READ, "elders.view", "elders.export", "organisations.change"]
        + ["assessments.view", "assessments.review", "alerts.view"]
    ),
    "street_staff": frozenset(
        [*_AREA_READ, *_ASSESS, *_DEVICES, *_ALERTS_HANDLE, *_ELDERS, "elders.create", "elders.import"]
    ),
    "care_centre_staff": frozenset([*_AREA_READ, *_ASSESS, *_DEVICES, *_ALERTS_HANDLE, *_ELDERS]),
    "station_staff": frozenset([*_AREA_READ, *_ASSESS, *_DEVICES, *_ALERTS_HANDLE, *_ELDERS, "elders.create"]),
    "institution_staff": frozenset([*_AREA_READ, *_ASSESS, *_ELDERS, "beds.manage", "devices.view"]),
    "medical_staff": frozenset([*_AREA_READ, *_ASSESS, "elders.view", "assessments.review", "alerts.view"]),
    "helper": frozenset(["elders.view", "assessments.view", "devices.view", *_ALERTS_HANDLE]),
    "family": frozenset(["elders.view", "assessments.view", "devices.view", "alerts.view"]),
}

# Introduced with monitoring: missing from a stored list means "seeded before", not "withdrawn".
ADDED_BY_MONITORING_RELEASE = frozenset(
    {"alerts.configure", "alerts.handle", "alerts.supervise", "alerts.view", "devices.manage", "devices.view"}
)

BATCH = 1000


def _names(value: Any) -> frozenset[str]:
    """The permission names in a stored JSON value (anything but a list of strings holds none)."""
    if not isinstance(value, list):
        return frozenset()
    return frozenset(name for name in value if isinstance(name, str)) & KNOWN_AT_CONVERSION


def split_permissions(*, role: str, stored: Any) -> tuple[list[str], list[str]]:
    """(granted, withdrawn) for an account of `role` whose stored list is `stored`."""
    defaults = ROLE_DEFAULTS_AT_CONVERSION.get(role, frozenset())
    held = _names(stored)
    return sorted(held - defaults), sorted(defaults - held - ADDED_BY_MONITORING_RELEASE)


def join_permissions(*, role: str, granted: Any, withdrawn: Any) -> list[str]:
    """The stored list again: (role defaults ∪ granted) − withdrawn."""
    defaults = ROLE_DEFAULTS_AT_CONVERSION.get(role, frozenset())
    return sorted((defaults | _names(granted)) - _names(withdrawn))


def _in_batches(rows: Iterable[Any], model: Any, fields: list[str]) -> None:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        model.objects.bulk_update(batch, fields)


def to_deviations(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")

    def converted() -> Iterable[Any]:
        for user in User.objects.only("pk", "role", "permissions").order_by("pk").iterator(chunk_size=BATCH):
            user.permissions_granted, user.permissions_withdrawn = split_permissions(
                role=user.role, stored=user.permissions
            )
            yield user

    _in_batches(converted(), User, ["permissions_granted", "permissions_withdrawn"])


def to_lists(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")

    def restored() -> Iterable[Any]:
        rows = User.objects.only("pk", "role", "permissions_granted", "permissions_withdrawn").order_by("pk")
        for user in rows.iterator(chunk_size=BATCH):
            user.permissions = join_permissions(
                role=user.role, granted=user.permissions_granted, withdrawn=user.permissions_withdrawn
            )
            yield user

    _in_batches(restored(), User, ["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_permission_deviations"),
    ]

    operations = [
        migrations.RunPython(to_deviations, to_lists, elidable=False),
    ]
