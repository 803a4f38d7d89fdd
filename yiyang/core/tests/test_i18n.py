"""The English catalogue: every message translated, nothing fuzzy, the compiled .mo in step with the
.po, and the language switch really turning the pages into English.

The .mo is not kept in git; `make test` / `make setup` compile it (compilemessages) first."""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from yiyang.core.testing import World

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@dataclass
class Entry:
    line: int
    flags: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A minimal .po reader (no polib): entries with flags, msgctxt, msgid(_plural) and msgstr(s)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] = ("", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith("#~"):  # obsolete entry
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags += [flag.strip() for flag in line[2:].split(",") if flag.strip()]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            key, index = target
            if key == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, key, (getattr(current, key) or "") + _unquote(line))
        else:
            keyword, value = line.split(" ", 1)
            if match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
                target = ("msgstr", int(match.group(1)))
                current.msgstr[target[1]] = _unquote(value)
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                current.msgstr[0] = _unquote(value)
            else:
                target = (keyword, 0)
                setattr(current, keyword, _unquote(value))
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO_FILE.is_file(), f"{PO_FILE} is missing"
    return parse_po(PO_FILE)


def _messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid != ""]  # everything but the header


def test_catalogue_has_a_proper_header(po_entries: list[Entry]) -> None:
    header = po_entries[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "charset=UTF-8" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_every_message_is_translated_and_none_is_fuzzy(po_entries: list[Entry]) -> None:
    messages = _messages(po_entries)
    assert len(messages) > 200  # the whole UI, not an empty catalogue
    fuzzy = [f"line {e.line}: {e.msgid}" for e in po_entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)
    untranslated = [
        f"line {e.line}: {e.msgid}"
        for e in messages
        if not e.msgstr
        or any(not text.strip() for text in e.msgstr.values())
        or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])
    ]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_translations_keep_placeholders_and_contain_no_chinese(po_entries: list[Entry]) -> None:
    problems = []
    for entry in _messages(po_entries):
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"line {entry.line}: placeholders of {entry.msgid!r} changed in {text!r}")
            if re.search(r"[\u3400-\u9fff]", text):
                problems.append(f"line {entry.line}: Chinese left in {text!r}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po(po_entries: list[Entry]) -> None:
    assert MO_FILE.is_file(), f"{MO_FILE} is missing: run `make setup` (compilemessages) first"
    with MO_FILE.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages(po_entries):
        context = entry.msgctxt
        if entry.msgid_plural is None:
            got = [mo.pgettext(context, entry.msgid) if context else mo.gettext(entry.msgid)]
        else:
            got = [
                mo.npgettext(context, entry.msgid, entry.msgid_plural, n)
                if context
                else mo.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
        if got != [entry.msgstr[i] for i in sorted(entry.msgstr)]:
            stale.append(entry.msgid)
    assert not stale, "the .mo is out of date (run compilemessages) for:\n" + "\n".join(stale)


@pytest.fixture
def restore_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_pages_are_chinese_by_default_and_english_after_switching(
    client: Client, world: World, restore_language: None
) -> None:
    client.force_login(world.users["bureau"])

    page = client.get("/elders/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert '<h1 class="h4 mb-0">老年人</h1>' in page
    assert "经济状况" in page
    assert "退出" in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/elders/"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/elders/"
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert '<h1 class="h4 mb-0">Elders</h1>' in page
    assert "<title>Elders · Yiyang</title>" in page
    for english in (
        "Integrated Medical and Elderly Care Platform",
        "Economic status",
        "Living arrangement",
        "Register elder",
        "Import roster",
        "Log out",
        "Total: ",
    ):
        assert english in page, english
    for chinese in ("<title>老年人", '<h1 class="h4 mb-0">老年人</h1>', "经济状况", "居住状况", "退出", "登记老年人"):
        assert chinese not in page, chinese
    # The elders themselves are data, not interface: their (Chinese) names stay as they are.
    assert world.elders["elder0"].name in page

    # The choice stays for the next page, and switching back gives Chinese again.
    assert "Jurisdiction overview" in client.get("/").content.decode()
    page = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/elders/"}, follow=True).content.decode()
    assert '<h1 class="h4 mb-0">老年人</h1>' in page
