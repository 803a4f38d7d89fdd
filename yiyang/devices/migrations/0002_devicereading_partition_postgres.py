"""PostgreSQL only: turn the reading table into one partitioned by month of `device_ts`.

The table Django created is renamed, a partitioned twin is made LIKE it (columns, defaults, identity),
with the primary key and unique key widened by `device_ts` (a partitioned table's unique keys must
hold the partition key), plus a DEFAULT partition so no insert ever fails; monthly partitions are made
ahead by `manage.py readings_maintain`. On SQLite nothing changes (retention by the same command).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE devices_devicereading RENAME TO devices_devicereading_plain;
CREATE TABLE devices_devicereading (LIKE devices_devicereading_plain INCLUDING DEFAULTS INCLUDING IDENTITY)
    PARTITION BY RANGE (device_ts);
DROP TABLE devices_devicereading_plain;
ALTER TABLE devices_devicereading ADD PRIMARY KEY (id, device_ts);
ALTER TABLE devices_devicereading ADD CONSTRAINT reading_unique_key UNIQUE (key, device_ts);
CREATE INDEX reading_elder_time ON devices_devicereading (elder_id, device_ts);
CREATE INDEX reading_id ON devices_devicereading (id);
CREATE TABLE devices_devicereading_default PARTITION OF devices_devicereading DEFAULT;
"""

BACKWARD = """
ALTER TABLE devices_devicereading RENAME TO devices_devicereading_parted;
CREATE TABLE devices_devicereading (LIKE devices_devicereading_parted INCLUDING DEFAULTS INCLUDING IDENTITY);
INSERT INTO devices_devicereading SELECT * FROM devices_devicereading_parted;
DROP TABLE devices_devicereading_parted CASCADE;
ALTER TABLE devices_devicereading ADD PRIMARY KEY (id);
ALTER TABLE devices_devicereading ADD CONSTRAINT reading_unique_key UNIQUE (key, device_ts);
CREATE INDEX reading_elder_time ON devices_devicereading (elder_id, device_ts);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("devices", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
