"""Production settings: SECRET_KEY and DATABASE_URL must come from the environment."""

from config.django.base import *  # noqa: F403
from config.env import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
# The second factor is never skipped in production, whatever the environment says.
YIYANG_DEMO_SKIP_2FA = False
