"""Migrations elders.0004 and monitoring.0003 encrypt existing rows and fill the tokens, and reverse to
plaintext (run in a child process against a scratch SQLite file: migrating back and forth)."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0)
from yiyang.core.testing import build_world
from yiyang.elders.models import Elder, EmergencyContact
from yiyang.elders.selectors import search_q
from yiyang.monitoring.models import ElderMonitoringProfile

world = build_world()
elder = world.elders["elder0"]
EmergencyContact.objects.create(elder=elder, name="甲", relation="女儿", phone="13911112222")
ElderMonitoringProfile.objects.create(
    elder=elder, conditions="高血压", medication="阿司匹林", updated_by=world.users["bureau"]
)

def raw(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()

call_command("migrate", "elders", "0003", verbosity=0)
call_command("migrate", "monitoring", "0002", verbosity=0)
assert raw(f"SELECT national_id, phone FROM elders_elder WHERE id = {elder.pk}") == (elder.national_id, elder.phone)
assert raw("SELECT phone FROM elders_emergencycontact") == ("13911112222",)
assert raw("SELECT conditions, medication FROM monitoring_eldermonitoringprofile") == ("高血压", "阿司匹林")

call_command("migrate", verbosity=0)
stored = raw(f"SELECT national_id, phone, national_id_hash FROM elders_elder WHERE id = {elder.pk}")
assert elder.national_id not in stored[0] and elder.phone not in stored[1] and stored[2] is not None
assert "高血压" not in raw("SELECT conditions FROM monitoring_eldermonitoringprofile")[0]
assert list(Elder.objects.filter(search_q(elder.national_id))) == [elder]
assert Elder.objects.filter(search_q(elder.national_id[:10])).filter(pk=elder.pk).exists()
assert ElderMonitoringProfile.objects.get().medication == "阿司匹林"
assert EmergencyContact.objects.get().phone == "13911112222"
print("ok")
"""


def test_the_encryption_migrations_encrypt_existing_rows_and_reverse_to_plaintext(tmp_path: Path):
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.django.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'migrate.sqlite3'}",
    }
    code = "import django; django.setup()\n" + SCRIPT
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
