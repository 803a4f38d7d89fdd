"""Links from the shared pages (home cards, the elder profile) to the benefits pages, by path.

A link is shown only when its path resolves to a page of this site, so a card never shows a button
that ends in "not found" while a page is not (yet) installed."""

from uuid import UUID

from django.urls import Resolver404, resolve

APPLICATIONS = "/benefits/applications/"
ENTITLEMENTS = "/benefits/entitlements/"
PAYROLL = "/benefits/payroll/"


def page(path: str) -> str | None:
    """`path` if a page answers it, else None (the query string is not part of the check)."""
    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return None
    return path


def detail_pages() -> dict[str, bool]:
    """Whether the application and entitlement detail pages exist (checked with a made-up id)."""
    probe = UUID(int=0)
    return {
        "application": page(f"{APPLICATIONS}{probe}/") is not None,
        "entitlement": page(f"{ENTITLEMENTS}{probe}/") is not None,
    }
