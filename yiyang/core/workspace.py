"""The extension points through which domains plug into the shared pages: home-page cards, sections of
the elder's profile and entries of the elder's timeline.

A domain registers its contributions in its `AppConfig.ready()` (by importing its `web.workspace`
module); the home page (accounts) and the elder profile (elders) only iterate the registries, so the
apps that own those pages never import a later domain. Each contribution is a function of the viewer
(and the elder) that returns None when the viewer may not see it: the permission check lives with the
domain that knows its rights, and the page shows what remains in `order`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

Text = str | Promise


@dataclass(frozen=True)
class CardLink:
    label: Text
    url: str


@dataclass(frozen=True)
class Panel:
    """What a home card and a profile section share: `template` renders `data` inside the page's shared
    frame; an empty panel (`empty=True`) shows `empty_hint`, which says what to do, instead."""

    key: str
    title: Text
    template: str
    data: dict[str, Any] = field(default_factory=dict)
    empty: bool = False
    empty_hint: Text = ""


@dataclass(frozen=True)
class HomeCard(Panel):
    """One card of a role's home page, with its links shown as buttons."""

    links: Sequence[CardLink] = ()
    # Bootstrap column span at desktop width (12 = full row); the phone layout is always one column.
    width: int = 6


@dataclass(frozen=True)
class AuditedRows:
    """Records a section showed, for the page's audit: `rows` have a `public_id`."""

    entity_type: str
    rows: Sequence[Any]


@dataclass(frozen=True)
class ProfileSection(Panel):
    """One section of the elder's profile. The profile records, per section, which records it showed
    (`shown`), so opening the profile is audited as what each section disclosed."""

    shown: Sequence[AuditedRows] = ()
    width: int = 6


@dataclass(frozen=True)
class TimelineEntry:
    """Something that happened to an elder, as a line of the profile's timeline."""

    at: datetime
    source: str  # the contributing domain's key, e.g. "assessments"
    title: Text
    detail: Text = ""
    url: str = ""
    tone: str = "secondary"  # a Bootstrap colour: danger for alerts, success for completed work …
    # The record the entry tells about (it has a `public_id`) and its entity type: the profile audits
    # what its timeline disclosed as it audits its sections.
    entity_type: str = ""
    record: Any = None


HomeCardProvider = Callable[[Any], HomeCard | None]
ProfileSectionProvider = Callable[[Any, Any], ProfileSection | None]
TimelineProvider = Callable[[Any, Any, int], Sequence[TimelineEntry]]


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    provider: Callable[..., Any]


class _Registry:
    def __init__(self, what: str) -> None:
        self._what = what
        self._entries: dict[str, _Registered] = {}

    def add(self, key: str, order: int, provider: Callable[..., Any]) -> None:
        known = self._entries.get(key)
        if known is not None and known.provider is not provider:
            raise ImproperlyConfigured(f"{self._what} {key!r} is registered twice")
        self._entries[key] = _Registered(key, order, provider)

    def ordered(self) -> list[_Registered]:
        return sorted(self._entries.values(), key=lambda entry: (entry.order, entry.key))

    def keys(self) -> list[str]:
        return [entry.key for entry in self.ordered()]


home_cards = _Registry("home card")
profile_sections = _Registry("profile section")
timeline_sources = _Registry("timeline source")


def register_home_card(key: str, *, order: int) -> Callable[[HomeCardProvider], HomeCardProvider]:
    """Decorator: `provider(user)` returns the card for this viewer, or None when it is not theirs."""

    def decorate(provider: HomeCardProvider) -> HomeCardProvider:
        home_cards.add(key, order, provider)
        return provider

    return decorate


def register_profile_section(key: str, *, order: int) -> Callable[[ProfileSectionProvider], ProfileSectionProvider]:
    """Decorator: `provider(user, elder)` returns the section, or None when the viewer may not see it."""

    def decorate(provider: ProfileSectionProvider) -> ProfileSectionProvider:
        profile_sections.add(key, order, provider)
        return provider

    return decorate


def register_timeline_source(key: str, *, order: int = 0) -> Callable[[TimelineProvider], TimelineProvider]:
    """Decorator: `provider(user, elder, limit)` returns at most `limit` of the newest entries the viewer
    may see (none when they may see nothing of the domain)."""

    def decorate(provider: TimelineProvider) -> TimelineProvider:
        timeline_sources.add(key, order, provider)
        return provider

    return decorate


def home_cards_for(user: Any) -> list[HomeCard]:
    """The viewer's home cards in registry order."""
    cards = (entry.provider(user) for entry in home_cards.ordered())
    return [card for card in cards if card is not None]


def profile_sections_for(user: Any, elder: Any) -> list[ProfileSection]:
    """The sections of `elder`'s profile the viewer may see, in registry order."""
    sections = (entry.provider(user, elder) for entry in profile_sections.ordered())
    return [section for section in sections if section is not None]


def timeline_for(user: Any, elder: Any, *, limit: int = 50) -> list[TimelineEntry]:
    """The newest `limit` entries from every source, newest first."""
    entries = [entry for source in timeline_sources.ordered() for entry in source.provider(user, elder, limit)]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]
