from django.db import migrations


def create_initial_keys(apps, schema_editor):
    """The first field and search data keys, wrapped by the active key-encryption key (the keyring must
    be configured when migrating a deployment; DEBUG and the test settings use the development key)."""
    from yiyang.core import crypto

    DataKey = apps.get_model("core", "DataKey")
    for purpose in (crypto.PURPOSE_FIELD, crypto.PURPOSE_SEARCH):
        if not DataKey.objects.filter(purpose=purpose, active=True).exists():
            crypto.create_data_key(purpose)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_data_key")]

    # Reversing keeps the keys: values encrypted under them must stay readable (0002's reverse drops them).
    operations = [migrations.RunPython(create_initial_keys, migrations.RunPython.noop, elidable=False)]
