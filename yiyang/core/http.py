"""Facts about the HTTP request that several apps need the same way."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The caller's IP address: REMOTE_ADDR, or the first X-Forwarded-For hop when
    AUDIT_TRUST_X_FORWARDED_FOR says a trusted proxy sets it. None when it is not an IP address
    (a forged or garbled header must not break the audit or sign-in write that stores it)."""
    ip = request.META.get("REMOTE_ADDR") or ""
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            ip = forwarded.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None
