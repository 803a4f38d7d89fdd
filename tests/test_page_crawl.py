"""A crawler per role and language: every page a role can reach answers without a server error and
shows no Python repr in its visible text.

Signed in as each role's account of the full test world (tests/full_world.py), it starts at `/` and
at every parameterless page URL, follows every same-site link (`<a href>`) breadth-first, and checks
each HTML answer:

- never 500 (or any 5xx);
- a link the role was shown never answers 4xx (a menu entry or a button that ends in "forbidden" or
  "not found" is a defect; the failure names the page that showed it). The parameterless URLs the
  crawl starts from may answer 403/404/405 when no page links them;
- the visible text (text nodes outside script/style/template; attributes are not text) holds no
  Python repr: a dict or list literal, `<… object at 0x…>`, `Decimal('…')`, `datetime.…(`,
  `UUID('…')`, a queryset, and, on the Chinese pages, the bare word `None` (in English "None" is
  also the translation of 无, so it is checked where no translation can produce it).

Bounded: at most `MAX_PAGES` per crawl and `PER_PATTERN` pages per URL name (and as many again with a
query string), so an elder list with many rows does not explode. Downloads (`Content-Disposition`)
and non-HTML answers are fetched for their status only.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.full_world import ROLE_ACCOUNTS, build_full_world

MAX_PAGES = 400
PER_PATTERN = 3
LANGUAGES = ("zh-hans", "en")

# Never fetched: signing out, switching language, the live alert stream (a long-lived response), the
# JavaScript catalogue and the machine-readable schema.
SKIP_URL_NAMES = {"logout", "set_language", "javascript-catalog", "alert-stream", "schema"}
# Path prefixes never fetched: the Django admin, the JSON API (its docs pages excepted), static files.
SKIP_PREFIXES = ("/admin/", "/api/", "/i18n/", "/jsi18n/", "/static/", "/media/")
ALLOWED_API_PAGES = ("/api/docs/", "/api/redoc/")

# What a Python value printed with str()/repr() looks like in a page. The first group never appears
# in JSON or YAML either, so it is checked everywhere; the second only outside <pre>, <code> and
# <textarea>, where a page may show a JSON or YAML document on purpose (a rules editor, a policy file).
PYTHON_REPRS: list[tuple[str, re.Pattern[str]]] = [
    ("dict", re.compile(r"\{\s*'[^'\n]{0,100}'\s*:\s*\S")),
    ("list", re.compile(r"\[\s*(?:'[^'\n]{0,100}'|<\w+:|\{\s*')")),
    ("object", re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>")),
    ("model or queryset", re.compile(r"<(?:QuerySet|[A-Z]\w*: )")),
    ("Decimal", re.compile(r"Decimal\('")),
    ("datetime", re.compile(r"datetime\.\w+\(")),
    ("UUID", re.compile(r"UUID\('")),
]
DATA_REPRS: list[tuple[str, re.Pattern[str]]] = [
    ("dict", re.compile(r"\{\s*(?:\"[^\"\n]{0,100}\"|-?\d+)\s*:\s*\S")),
    ("empty dict or list", re.compile(r"(?<![\w{\[])(?:\{\}|\[\])(?![\w}\]])")),
]
BARE_NONE = ("None", re.compile(r"(?<![\w'\"])None(?![\w'\"])"))


class _Page(HTMLParser):
    """Links (`<a href>`) and the text nodes a person sees (outside script, style and template), those
    inside <pre>, <code> or <textarea> apart."""

    HIDDEN = {"script", "style", "template"}
    CODE = {"pre", "code", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self.code_texts: list[str] = []
        self._hidden = 0
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag in self.CODE:
            self._code += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in self.CODE and self._code:
            self._code -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            (self.code_texts if self._code else self.texts).append(" ".join(data.split()))


def parse_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def reprs_in(texts: list[str], *, bare_none: bool, code: bool = False) -> list[str]:
    """Each text node that looks like a Python repr, as `kind: snippet`. `code`: the texts come from
    <pre>/<code>/<textarea>, where JSON and YAML are allowed."""
    checks = [*PYTHON_REPRS, *([] if code else DATA_REPRS), *([BARE_NONE] if bare_none else [])]
    found = []
    for text in texts:
        for kind, pattern in checks:
            match = pattern.search(text)
            if match:
                start = max(0, match.start() - 40)
                found.append(f"{kind}: …{text[start : match.end() + 60]}…")
    return found


def page_reprs(page: _Page, *, language: str) -> list[str]:
    """The Python reprs in a parsed page's visible text. The bare word None counts on Chinese pages
    only: in English it is also the translation of 无."""
    bare_none = language.startswith("zh")
    return [*reprs_in(page.texts, bare_none=bare_none), *reprs_in(page.code_texts, bare_none=bare_none, code=True)]


def parameterless_page_urls() -> list[str]:
    """The path of every named web URL that takes no argument (the admin and the API left out)."""
    paths: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in SKIP_URL_NAMES:
                if pattern.pattern.converters or "<" in str(pattern.pattern):
                    continue
                path = reverse(pattern.name)
                if _crawlable(path):
                    paths.append(path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def _crawlable(path: str) -> bool:
    if path.startswith(ALLOWED_API_PAGES):
        return True
    return not path.startswith(SKIP_PREFIXES)


def same_site_path(href: str, base: str) -> str | None:
    """The path and query of a same-site link, or None for another site, a fragment or a scheme
    such as mailto:."""
    absolute = urljoin("http://testserver" + base, href.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def url_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).url_name
    except Resolver404:
        return None


@dataclass
class CrawlResult:
    visited: dict[str, int] = field(default_factory=dict)  # path -> status
    defects: list[str] = field(default_factory=list)


def crawl(client: Client, *, language: str, max_pages: int = MAX_PAGES, per_pattern: int = PER_PATTERN) -> CrawlResult:
    """Breadth-first from `/` and every parameterless page; see the module docstring for the checks."""
    result = CrawlResult()
    linked_from: dict[str, str] = {}  # path -> the first page that showed a link to it
    queue: deque[str] = deque(dict.fromkeys(["/", *parameterless_page_urls()]))
    seen: set[str] = set(queue)
    per_name: Counter[tuple[str | None, bool]] = Counter()

    def enqueue(path: str, referrer: str) -> None:
        if path not in linked_from:
            linked_from[path] = referrer
            status = result.visited.get(path)
            if status is not None and 400 <= status < 500:  # fetched as a start URL before a page linked it
                result.defects.append(f"{status} {path}: a link shown on {referrer}")
        if path in seen or not _crawlable(urlsplit(path).path):
            return
        if url_name(path) in SKIP_URL_NAMES:
            return
        seen.add(path)
        queue.append(path)

    while queue and len(result.visited) < max_pages:
        path = queue.popleft()
        name = url_name(path)
        bucket = (name, "?" in path)
        if path not in linked_from or per_name[bucket] < per_pattern:
            per_name[bucket] += 1
        else:
            continue  # enough pages of this kind
        response = client.get(path)
        status = response.status_code
        result.visited[path] = status
        referrer = linked_from.get(path)
        if status >= 500:
            cause = ""
            if getattr(response, "exc_info", None):
                cause = f": {response.exc_info[0].__name__}: {response.exc_info[1]}"
            result.defects.append(f"{status} {path} (linked from {referrer or '-'}){cause}")
            continue
        if 400 <= status < 500:
            if referrer is not None:
                result.defects.append(f"{status} {path}: a link shown on {referrer}")
            continue
        if 300 <= status < 400:
            target = same_site_path(response.headers.get("Location", ""), path)
            if target and referrer is not None:
                enqueue(target, referrer)
            elif target and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if response.get("Content-Disposition") or getattr(response, "streaming", False):
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = parse_page(response.content.decode(response.charset or "utf-8"))
        for snippet in page_reprs(page, language=language):
            result.defects.append(f"Python repr on {path}: {snippet}")
        for href in page.links:
            target = same_site_path(href, path)
            if target is not None:
                enqueue(target, path)
    return result


# ---------------------------------------------------------------------------------------------------
# The crawler's own behaviour, on small made-up pages.


def test_the_repr_patterns_find_reprs_and_leave_ordinary_text_alone():
    reprs = [
        "{'device_id': 106, 'repeat': 0}",
        '详情：{"code": "01"}',
        "标记：['diabetes', 'falls']",
        "<yiyang.alerts.models.Alert object at 0x7f3a2b1c>",
        "<Elder: 张三>",
        "<QuerySet [<Elder: 张三>]>",
        "金额 Decimal('12.50')",
        "时间 datetime.datetime(2025, 6, 1, 0, 0)",
        "设备 UUID('0190d2a4-…')",
        "详情：{}",
        "标记：[]",
    ]
    for text in reprs:
        assert reprs_in([text], bare_none=False), text
    assert reprs_in(["负责人：None"], bare_none=True)
    assert reprs_in(["None"], bare_none=True)
    ordinary = [
        "No alerts. Nonetheless, a value 'None' in quotes stays.",
        "第 1/3 页 {{ 未渲染 }} [1] [第2页]",
        "心率 135 次/分（阈值 120）",
        "Elders: 12 (of 20) — 2025-06-01 08:00",
        "a < b and c > d",
    ]
    assert reprs_in(ordinary, bare_none=True) == []
    assert reprs_in(["Conditions: None"], bare_none=False) == []  # English "None" translates 无


def test_visible_text_leaves_out_scripts_styles_templates_and_attributes():
    page = parse_page(
        "<html><head><title>首页</title><style>a{'x': 1}</style></head><body>"
        '<a href="/elders/" title="{\'a\': 1}">老年人</a>'
        "<script>var x = {'device_id': 1};</script><template><p>None</p></template>"
        "<p>详情：{&#x27;device_id&#x27;: 106}</p></body></html>"
    )
    assert page.links == ["/elders/"]
    assert page.texts == ["首页", "老年人", "详情：{'device_id': 106}"]
    assert [s.split(":")[0] for s in reprs_in(page.texts, bare_none=True)] == ["dict"]


def test_json_and_yaml_documents_in_code_blocks_are_allowed_python_reprs_are_not():
    page = parse_page(
        '<pre>settings: {}\nrules: {"hr_high": {"threshold": 120}}</pre>'
        '<textarea>{"config": {"rearm_s": 1800}}</textarea>'
        "<code>{'rearm_s': 1800}</code><pre>owner: None</pre>"
    )
    assert page.texts == []
    assert [s.split(":")[0] for s in page_reprs(page, language="zh-hans")] == ["dict", "None"]
    assert [s.split(":")[0] for s in page_reprs(page, language="en")] == ["dict"]


def test_links_are_kept_on_the_site():
    assert same_site_path("/elders/?page=2#top", "/") == "/elders/?page=2"
    assert same_site_path("edit/", "/elders/abc/") == "/elders/abc/edit/"
    assert same_site_path("http://testserver/alerts/", "/") == "/alerts/"
    assert same_site_path("https://example.com/", "/") is None
    assert same_site_path("mailto:a@b.c", "/") is None
    assert same_site_path("#", "/alerts/") == "/alerts/"


def test_parameterless_pages_leave_out_admin_api_and_the_stream():
    paths = parameterless_page_urls()
    assert "/" in paths and "/elders/" in paths and "/api/docs/" in paths
    assert not [p for p in paths if p.startswith(("/admin/", "/api/v1/", "/i18n/"))]
    assert "/alerts/stream/" not in paths and "/logout/" not in paths


class _FakeResponse:
    def __init__(self, status: int, html: str = "", headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self.content = html.encode()
        self.charset = "utf-8"
        self.streaming = False
        self.exc_info = None
        self.headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}

    def get(self, header: str, default: str = "") -> str:
        return self.headers.get(header, default)


class _FakeSite:
    """Canned answers by path; anything else is 404."""

    def __init__(self, pages: dict[str, _FakeResponse]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def get(self, path: str) -> _FakeResponse:
        self.asked.append(path)
        return self.pages.get(path, _FakeResponse(404))


def test_the_crawl_reports_server_errors_shown_links_that_refuse_and_reprs_and_nothing_else():
    site = _FakeSite(
        {
            "/": _FakeResponse(
                200,
                '<a href="/elders/">老年人</a><a href="/audit/">审计</a><a href="/areas/">区域</a>'
                '<a href="/occupancy/">入住</a><a href="/logout/">退出</a><a href="/admin/">后台</a>'
                '<a href="https://example.com/">外站</a>',
            ),
            "/elders/": _FakeResponse(
                200, "<p>标记：['diabetes']</p>" + "".join(f'<a href="/elders/e{i}/">e{i}</a>' for i in range(6))
            ),
            "/audit/": _FakeResponse(403),
            "/areas/": _FakeResponse(500),
            "/occupancy/": _FakeResponse(302, headers={"Location": "/organisations/"}),
            "/organisations/": _FakeResponse(404),
            "/elders/export/": _FakeResponse(200, "{'not': 'html'}", {"Content-Disposition": "attachment"}),
            **{f"/elders/e{i}/": _FakeResponse(200, "<p>None</p>") for i in range(6)},
        }
    )
    result = crawl(site, language="zh-hans")  # type: ignore[arg-type]

    # At most PER_PATTERN elder pages, each with its bare None; the unlinked start URLs that answer
    # 404 (the fake site knows few pages) are no defect.
    assert sorted(result.defects) == sorted(
        [
            "Python repr on /elders/: list: …标记：['diabetes']…",
            "403 /audit/: a link shown on /",
            "500 /areas/ (linked from /)",
            "404 /organisations/: a link shown on /",  # reached through the redirect of a shown link
            *(f"Python repr on /elders/e{i}/: None: …None…" for i in range(PER_PATTERN)),
        ]
    )
    assert "/logout/" not in site.asked and "/admin/" not in site.asked and "/alerts/stream/" not in site.asked
    assert site.asked.count("/") == 1


# ---------------------------------------------------------------------------------------------------
# The crawl itself.


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS))
def test_every_page_a_role_reaches_answers_and_shows_no_python_repr(role, language):
    world = build_full_world()
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(world.users[ROLE_ACCOUNTS[role]])

    result = crawl(client, language=language)

    assert result.visited.get("/") == 200, result.visited
    # The crawl followed links beyond the pages it starts from, and was not cut off by the bound
    # (pages past MAX_PAGES would go unchecked without a word).
    beyond = set(result.visited) - {"/", *parameterless_page_urls()}
    # An elder's page has a URL argument: only a followed link reaches it (every role sees one elder).
    assert "elder-detail" in {url_name(path) for path in beyond}, sorted(beyond)
    assert len(result.visited) < MAX_PAGES, len(result.visited)
    assert result.defects == [], f"{role} ({language}), {len(result.visited)} pages:\n" + "\n".join(result.defects)
