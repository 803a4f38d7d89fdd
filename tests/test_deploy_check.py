"""`manage.py check --deploy` with the production settings reports no issue, and those settings hold what
docs/security.md promises (HTTPS only, HSTS for a year, cookies that scripts cannot read)."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.django.production",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        DATABASE_URL="sqlite:///:memory:",
        ALLOWED_HOSTS="yiyang.example.gov.cn",
        # A key-encryption key from outside the database (docs/security.md); a fresh one each run.
        YIYANG_MASTER_KEYS="k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        **extra,
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_reports_no_issues_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_django_starts_with_the_demo_settings_whatever_is_imported_first():
    # `makemigrations` reads DRF's settings before any view module is imported; the default parser
    # must then import without going through `rest_framework.views` (it once could not: Django did
    # not start under config.django.local).
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.django.local", DATABASE_URL="sqlite:///:memory:")
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


SHOW = """
import json
from django.conf import settings
names = ["DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
         "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
         "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def production_settings(**extra: str) -> dict[str, object]:
    result = run(["-c", "import django; django.setup()\n" + SHOW], production_env(**extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_require_https():
    assert production_settings() == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    }


def test_the_proxy_header_is_believed_only_when_the_deployment_says_so():
    shown = production_settings(SECURE_PROXY_SSL_HEADER_ENABLED="true", SECURE_HSTS_PRELOAD="true")
    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["SECURE_HSTS_PRELOAD"] is True


def test_check_deploy_complains_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = run(["manage.py", "check", "--deploy"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
