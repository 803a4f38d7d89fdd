"""Production settings: SECRET_KEY and DATABASE_URL must come from the environment.

`DJANGO_SETTINGS_MODULE=config.django.production python manage.py check --deploy` reports no issue
(tests/test_deploy_check.py). HTTPS is required: plain HTTP is redirected and browsers are told, by
HSTS, never to use it again for a year. See docs/security.md for what a deployment must configure.
"""

from config.django.base import *  # noqa: F403
from config.env import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")

# HTTPS only. Behind a TLS-terminating reverse proxy, the proxy must set X-Forwarded-Proto and
# SECURE_PROXY_SSL_HEADER_ENABLED=true must be set here -- never without such a proxy, or a client could claim
# HTTPS by sending the header itself. SECURE_SSL_REDIRECT=false only where the proxy already redirects.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks from the proxy or orchestrator may come over plain HTTP (regular expressions on the path, no slash).
SECURE_REDIRECT_EXEMPT = env.list("SECURE_REDIRECT_EXEMPT", default=[])
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)  # one year
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is hard to undo (browser release cycles) and covers the whole registrable domain: only for a public
# domain that will never serve plain HTTP. An intranet or shared government domain keeps it off, and then the
# deploy check's reminder that preloading is off (security.W021) is silenced on purpose.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
# The second factor is never skipped in production, whatever the environment says.
YIYANG_DEMO_SKIP_2FA = False
# Pages read the CSRF token from the form or the hx-headers attribute, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
# Origins (scheme://host[:port]) allowed to POST when the site is reached through a proxy under another name.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
YIYANG_DEVELOPMENT_KEY_ALLOWED = False  # production never falls back to the public development key
BENEFITS_ALLOW_EXAMPLE_VALUES = False  # production never pays from an example value
