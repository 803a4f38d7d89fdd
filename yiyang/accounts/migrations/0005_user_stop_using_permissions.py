"""First of two steps to drop `User.permissions`: the code no longer reads or writes it.

The column stays in the database, nullable, so that a process still running the previous release
during the upgrade keeps working and 0004 can be reversed; a later release drops it with
`SeparateDatabaseAndState(database_operations=[RunSQL("ALTER TABLE accounts_user DROP COLUMN permissions")])`.
"""

from typing import Any

from django.db import migrations, models


def _fill_missing_lists(apps: Any, schema_editor: Any) -> None:
    """Reverse only: accounts created after this step have no list; 0004's reverse writes it."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(permissions__isnull=True).update(permissions=[])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_permissions_to_deviations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="permissions",
            field=models.JSONField(blank=True, default=list, null=True, verbose_name="权限"),
        ),
        migrations.RunPython(migrations.RunPython.noop, _fill_missing_lists, elidable=False),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="user", name="permissions")],
        ),
    ]
