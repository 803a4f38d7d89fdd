from django.db import migrations, models

# Added with plain SQL rather than AddField: on SQLite, AddField of a NOT NULL column rebuilds the
# table from the model state, which would lose `permissions`, the column 0005 keeps in the database
# only (so that 0004 stays reversible). The DEFAULT '' fills existing rows and stays harmlessly.
ADD = "ALTER TABLE accounts_user ADD COLUMN qualification_number varchar(32) DEFAULT '' NOT NULL"
DROP = "ALTER TABLE accounts_user DROP COLUMN qualification_number"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_login_security"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="user",
                    name="qualification_number",
                    field=models.CharField(blank=True, max_length=32, verbose_name="资格证书编号"),
                ),
            ],
        ),
    ]
