"""Settings for `make demo` and local development."""

from config.django.base import *  # noqa: F403
from config.env import env

DEBUG = env.bool("DEBUG", default=True)
YIYANG_DEVELOPMENT_KEY_ALLOWED = env.bool("YIYANG_DEVELOPMENT_KEY_ALLOWED", default=DEBUG)
