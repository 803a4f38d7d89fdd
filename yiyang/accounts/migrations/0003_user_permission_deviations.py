from django.db import migrations, models


class Migration(migrations.Migration):
    """Add the per-account deviations from the role's permissions (filled by 0004)."""

    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="permissions_granted",
            field=models.JSONField(blank=True, default=list, verbose_name="额外授予的权限"),
        ),
        migrations.AddField(
            model_name="user",
            name="permissions_withdrawn",
            field=models.JSONField(blank=True, default=list, verbose_name="收回的角色权限"),
        ),
    ]
