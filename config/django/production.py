"""Production settings: SECRET_KEY and DATABASE_URL must come from the environment."""

from config.django.base import *  # noqa: F403
from config.env import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
YIYANG_DEVELOPMENT_KEY_ALLOWED = False  # production never falls back to the public development key
