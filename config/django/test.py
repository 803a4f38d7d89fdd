"""Settings for the test suite: fast hashing, in-memory SQLite unless DATABASE_URL says otherwise."""

from config.django.base import *  # noqa: F403
from config.django.base import DATABASES
from config.env import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if "DATABASE_URL" not in env.ENVIRON:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
LANGUAGE_CODE = "zh-hans"
YIYANG_DEVELOPMENT_KEY_ALLOWED = True
# Keys are never rotated behind the suite's back: no periodic re-read that could land inside a
# query-count assertion (rotation tests set their own value).
YIYANG_KEY_CACHE_SECONDS = 10**9
BENEFITS_ALLOW_EXAMPLE_VALUES = True
