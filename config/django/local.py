"""Settings for `make demo` and local development."""

from config.django.base import *  # noqa: F403
from config.env import env

DEBUG = env.bool("DEBUG", default=True)
# The demo: accounts that have not enrolled a second factor sign in with the password alone.
YIYANG_DEMO_SKIP_2FA = env.bool("YIYANG_DEMO_SKIP_2FA", default=DEBUG)
YIYANG_DEVELOPMENT_KEY_ALLOWED = env.bool("YIYANG_DEVELOPMENT_KEY_ALLOWED", default=DEBUG)
BENEFITS_ALLOW_EXAMPLE_VALUES = env.bool("BENEFITS_ALLOW_EXAMPLE_VALUES", default=True)
