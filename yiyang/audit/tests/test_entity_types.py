import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

import yiyang
from yiyang.assessments.services.records import ENTITY as ASSESSMENT_ENTITY
from yiyang.audit.entity_types import ENTITY_TYPE_LABELS, entity_type_label
from yiyang.audit.middleware import DENY_ENTITY_TYPE
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record


@pytest.fixture
def reset_language() -> Iterator[None]:
    yield
    translation.activate(settings.LANGUAGE_CODE)


# The literal ways the code names the entity type of an event it writes: a keyword argument or
# key (`entity_type="alert"`, `"entity_type": "device"`), a profile section's `AuditedRows("home", …)` and
# an API list's positional `shown_by(request.user, "account")`.
WRITTEN = re.compile(
    r"""(?:\bentity_type=|["']entity_type["']:\s*|\bAuditedRows\(|\bshown_by\([^,()]+,\s*)["']([a-z_]+)["']"""
)


def entity_types_written() -> set[str]:
    root = Path(yiyang.__file__).parent
    found: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.relative_to(root).parts:
            continue
        found.update(WRITTEN.findall(path.read_text(encoding="utf-8")))
    return found | {DENY_ENTITY_TYPE, ASSESSMENT_ENTITY}


def test_the_scan_finds_the_types_written_in_each_way():
    assert {
        "alert",
        "home_member",
        "helper_assignment",
        "emergency_contact",
        "device",
        "user",
        "device_binding",
        "account",
    } <= entity_types_written()


@pytest.mark.parametrize(
    "source",
    [
        'audit_record(actor=user, entity_type="account")',
        '{"entity_type": "account"}',
        'AuditedRows("account", rows)',
        'shown_by(request.user, "account")',
        "shown=shown_by(user, 'account')",
    ],
)
def test_the_scan_reads_each_way_of_writing_a_type(source):
    # Every type the code writes today also appears in another form, so the scan of the code alone
    # would not notice a form the pattern misses.
    assert WRITTEN.findall(source) == ["account"]


def test_every_entity_type_the_code_writes_has_a_name():
    assert sorted(entity_types_written() - ENTITY_TYPE_LABELS.keys()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", {"home_member": "家庭成员", "helper_assignment": "助老员指派", "alert": "告警", "account": "账号"}),
        (
            "en",
            {
                "home_member": "Household member",
                "helper_assignment": "Helper assignment",
                "alert": "Alert",
                "account": "Account",
            },
        ),
    ],
)
def test_the_audit_log_names_entity_types_in_the_reader_language_and_keeps_the_stored_value(
    world, language, expected, reset_language
):
    for entity_type in [*expected, "legacy_thing"]:
        audit_record(
            actor=world.users["street0"], action=AuditAction.VIEW, entity_type=entity_type, district=world.district
        )
    client = Client()
    client.force_login(world.users["bureau"])
    client.post("/i18n/setlang/", {"language": language, "next": "/"})

    html = client.get("/audit/").content.decode()

    cells = re.findall(
        r'<td data-testid="entity-type">(.*?) <small class="text-muted font-monospace">(.*?)</small>', html, re.S
    )
    shown = {stored: label for label, stored in cells}
    shown.pop("user")  # the bureau officer's own login
    assert shown == {**expected, "legacy_thing": "legacy_thing"}
    for entity_type, label in expected.items():
        assert f'<option value="{entity_type}">{label} ({entity_type})</option>' in html


@pytest.mark.django_db
def test_the_entity_type_filter_keeps_a_type_without_a_name_selected_as_stored(world):
    for entity_type in ("legacy_thing", "alert"):
        audit_record(
            actor=world.users["street0"], action=AuditAction.VIEW, entity_type=entity_type, district=world.district
        )
    client = Client()
    client.force_login(world.users["bureau"])

    html = client.get("/audit/", {"entity_type": "legacy_thing"}).content.decode()

    assert '<option value="legacy_thing" selected>legacy_thing</option>' in html
    assert re.findall(r'<td data-testid="entity-type">(.*?)</td>', html, re.S) == [
        'legacy_thing <small class="text-muted font-monospace">legacy_thing</small> <small class="text-muted"></small>'
    ]


@pytest.mark.django_db
def test_the_export_keeps_the_stored_entity_type_in_english_too(world, reset_language):
    audit_record(
        actor=world.users["street0"], action=AuditAction.VIEW, entity_type="home_member", district=world.district
    )
    client = Client()
    client.force_login(world.users["bureau"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = client.get("/audit/export/", {"action": "view"})

    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0].values)
    column = rows[0].index("Object type")
    assert [row[column] for row in rows[1:]] == ["home_member"]


def test_an_unknown_entity_type_is_named_as_stored():
    assert entity_type_label("legacy_thing") == "legacy_thing"
