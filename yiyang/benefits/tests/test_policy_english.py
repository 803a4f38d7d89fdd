"""Parameter descriptions carry their English beside the Chinese (`metadata.description_en` in the
shipped OpenFisca files); pages in English show it, pages in Chinese the Chinese, and a payroll run
recorded before the files had English falls back to the Chinese."""

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import override

from yiyang.benefits.payroll_selectors import parameter_shown
from yiyang.benefits.policy import PARAMETERS_DIR, Policy, shipped_parameters
from yiyang.benefits.policy_selectors import node_description, parameter_label, policy_parameter_choices
from yiyang.benefits.tests.payroll_world import RESIDENT, confirmed_level, entitlement
from yiyang.organisations.tests.support import page_client

DIBAO_2 = "benefits.resident_care_subsidy.monthly.dibao.level_2"
DIBAO_2_EN = "Monthly standard (yuan) › Minimum living allowance (dibao) › Ability moderately impaired"
DIBAO_2_ZH = "月标准（元） › 低保 › 能力中度受损"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def default_language_after() -> Iterator[None]:
    """A request with the English cookie leaves English active in this thread; later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _nodes(node: Any, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    """Every node and leaf of a parameter document (the ones with a description), by dotted path."""
    out = [(prefix, node)] if "description" in node else []
    if "values" not in node:
        for key, child in node.items():
            if key not in ("description", "metadata", "reference", "documentation"):
                out.extend(_nodes(child, f"{prefix}.{key}"))
    return out


def test_every_shipped_node_and_leaf_has_an_english_description_without_chinese():
    files = sorted(Path(PARAMETERS_DIR).rglob("*.yaml"))
    assert len(files) == 7
    checked = 0
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for dotted, node in _nodes(raw, path.stem):
            assert isinstance(node["description"], str) and node["description"], dotted
            english = (node.get("metadata") or {}).get("description_en")
            assert isinstance(english, str) and english.strip(), dotted
            assert not CJK.search(english), (dotted, english)
            checked += 1
    assert checked == len(shipped_parameters()) + 7 + 13  # every leaf, the 7 file roots, the 13 inner nodes


def test_the_parameter_and_its_record_carry_both_descriptions():
    parameter = shipped_parameters()[DIBAO_2]
    assert (parameter.description, parameter.description_en) == ("能力中度受损", "Ability moderately impaired")
    policy = Policy.for_district()
    described = policy.describe(DIBAO_2, policy.at(DIBAO_2, date(2026, 1, 1)))
    assert (described["description"], described["description_en"]) == ("能力中度受损", "Ability moderately impaired")


def test_labels_follow_the_active_language():
    with override("en"):
        assert parameter_label(DIBAO_2) == DIBAO_2_EN
        assert node_description("benefits.rating_reward") == (
            "Rating reward (one-off, by the institution's rating grade)"
        )
        assert dict(policy_parameter_choices())[DIBAO_2].endswith(DIBAO_2_EN)
    with override("zh-hans"):
        assert parameter_label(DIBAO_2) == DIBAO_2_ZH
        assert node_description("benefits.rating_reward") == "等级评定奖励（养老机构等级评定，一次性，按评定等级）"


def test_a_run_recorded_without_english_falls_back_to_the_chinese():
    old = {"path": DIBAO_2, "description": "能力中度受损", "value": "900", "status": "example"}
    with override("en"):
        assert parameter_shown(old).shown_description == "能力中度受损"
        assert parameter_shown({**old, "description_en": "Ability moderately impaired"}).shown_description == (
            "Ability moderately impaired"
        )
    with override("zh-hans"):
        assert parameter_shown({**old, "description_en": "Ability moderately impaired"}).shown_description == (
            "能力中度受损"
        )


def english_client(user):
    client = page_client(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_the_policy_page_in_english_shows_the_english_descriptions(world):
    html = english_client(world.users["street0"]).get("/benefits/policy/").content.decode()
    row = re.search(rf'<tr data-testid="parameter-row" data-path="{re.escape(DIBAO_2)}">.*?</tr>', html, re.S)
    assert row and DIBAO_2_EN in row.group(0)
    assert "月标准（元）" not in html and "能力中度受损" not in html
    assert "Residential care subsidy (monthly standard, yuan per person per month)" in html
    assert "入住机构养老服务补贴（月标准" not in html
    chinese = page_client(world.users["street0"]).get("/benefits/policy/").content.decode()
    assert DIBAO_2_ZH in chinese and "Monthly standard" not in chinese


@pytest.mark.django_db
def test_the_what_if_page_in_english_shows_the_english_labels(world):
    resident = world.elders["resident0"]
    resident.economic_status = "dibao"
    resident.save()
    confirmed_level(resident, 2, date(2026, 1, 10), assessor=world.users["street0"], reviewer=world.users["medical0"])
    entitlement(world, RESIDENT, elder=resident, starts_on=date(2026, 1, 1))
    client = english_client(world.users["bureau"])
    form = client.get("/benefits/policy/what-if/").content.decode()
    assert DIBAO_2_EN in form and "月标准（元）" not in form
    start = timezone.localdate().replace(day=1)
    response = client.get("/benefits/policy/what-if/", {"path": DIBAO_2, "start": start.isoformat(), "value": "1000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert DIBAO_2_EN in html and "月标准（元）" not in html and "能力中度受损" not in html


TEKUN_2 = "benefits.resident_care_subsidy.monthly.tekun.level_2"


@pytest.mark.django_db
def test_the_payroll_run_page_and_workbook_in_english_show_the_english_descriptions():
    from yiyang.benefits.services.payroll_exports import payroll_workbook
    from yiyang.benefits.tests.payroll_ui_world import payroll_ui_world

    world = payroll_ui_world()
    run = world.november
    assert run.parameters[f"{TEKUN_2}@2024-01-01|shipped"]["description_en"] == "Ability moderately impaired"
    html = english_client(world.users["bureau"]).get(f"/benefits/payroll/{run.public_id}/").content.decode()
    rows = re.findall(r'<tr[^>]*data-testid="parameter-row".*?</tr>', html, re.S)
    assert len(rows) == 3 and all("Ability moderately impaired" in row for row in rows)
    assert "能力中度受损" not in html
    with override("en"):
        book = payroll_workbook(actor=world.users["bureau"], run=run)
    used = {row[0]: row for sheet in book.sheets for row in sheet.rows if row and row[0] == TEKUN_2}
    assert used[TEKUN_2][1] == "Ability moderately impaired"


@pytest.mark.django_db
def test_a_run_recorded_before_the_english_shows_the_chinese_on_the_english_page():
    from yiyang.benefits.tests.payroll_ui_world import payroll_ui_world

    world = payroll_ui_world()
    run = world.november
    run.parameters = {key: {k: v for k, v in d.items() if k != "description_en"} for key, d in run.parameters.items()}
    run.save(update_fields=["parameters"])
    html = english_client(world.users["bureau"]).get(f"/benefits/payroll/{run.public_id}/").content.decode()
    rows = re.findall(r'<tr[^>]*data-testid="parameter-row".*?</tr>', html, re.S)
    assert len(rows) == 3 and all("能力中度受损" in row for row in rows)


@pytest.mark.django_db
def test_the_entitlement_page_in_english_describes_the_parameters_used_in_english(world):
    from yiyang.benefits.models import Entitlement
    from yiyang.benefits.tests.support import approved, startup_submitted

    approved(world, startup_submitted(world))
    entitlement = Entitlement.objects.get()
    path = f"/benefits/entitlements/{entitlement.public_id}/"
    html = english_client(world.users["bureau"]).get(path).content.decode()
    row = re.search(r'<tr data-testid="instalment-row">.*?</tr>', html, re.S)
    assert row and "<span>Own premises</span>：3000" in row.group(0) and "自建用房" not in row.group(0)
    translation.activate(settings.LANGUAGE_CODE)
    chinese = page_client(world.users["bureau"]).get(path).content.decode()
    assert '<span lang="zh-Hans">自建用房</span>：3000' in chinese
