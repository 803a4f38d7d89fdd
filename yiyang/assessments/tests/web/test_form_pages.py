"""The tablet form: scale choice, big radio groups by scale group, progress, facts, save and submit."""

import pytest

from yiyang.assessments.models import Assessment
from yiyang.assessments.tests.support import GBT, draft, gbt_answers, page_client, partial, snapshot
from yiyang.audit.models import ACCESS_ACTIONS, AuditEvent

pytestmark = pytest.mark.django_db


def new_url(world, scale=None):
    url = f"/elders/{world.elders['elder0'].public_id}/assessments/new/"
    return f"{url}?scale={scale}" if scale else url


def form_post(answers, action="save", **extra):
    """What a browser posts for these answers."""
    data = {"scale": GBT, "reason": "first", "assessed_on": "2025-06-01", "note": "", "action": action}
    for key, value in answers.items():
        if key == "diagnoses":
            data["diagnoses"] = value
        elif key == "risk_events_30d":
            data["risk_events_30d"] = str(value)
        elif key != "coma":
            data[f"item_{key}"] = str(value)
    data.update(extra)
    return data


def test_without_a_scale_the_page_offers_every_scale(world):
    html = page_client(world.users["street0"]).get(new_url(world)).content.decode()
    for code in ("gbt42195-2022", "ltc-2021", "ltc-2021-self", "barthel", "selfcare-phs", "mzt039-2013"):
        assert f'data-testid="scale-{code}"' in html
    assert "GB/T 42195-2022《老年人能力评估规范》" in html


def test_the_gbt_form_groups_items_with_chinese_options_and_facts(world):
    response = page_client(world.users["street0"]).get(new_url(world, GBT))
    assert response.status_code == 200
    html = response.content.decode()
    for group in ("B.1", "B.2", "B.3", "B.4"):
        assert f'data-testid="group-{group}"' in html
    assert html.count('<fieldset class="assess-item mb-4" data-item=') == 26
    assert '已完成 <span id="answered-count">0</span>/26' in html
    assert 'value="4" autocomplete="off"' in html
    assert "独立使用器具将食物送进口中并咽下，没有呛咳" in html
    # B.3.9's two 0-point options are told apart by their codes
    assert 'name="item_B.3.9" id="item_B.3.9-3" value="stupor"' in html
    assert 'name="item_B.3.9" id="item_B.3.9-4" value="coma"' in html
    # facts: Annex A diagnoses, other codes, risk events; submit disabled until all answered
    assert 'id="dx-F03" value="F03"' in html and "痴呆" in html
    assert 'name="diagnoses_other"' in html
    assert 'name="risk_events_30d"' in html
    assert 'data-testid="submit" disabled' in html


def test_saving_a_partial_draft_then_submitting_from_the_edit_page(world):
    client = page_client(world.users["street0"])
    answers = partial(gbt_answers(1), "B.4.5")
    response = client.post(new_url(world, GBT), form_post(answers))
    record = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{record.public_id}/edit/"
    assert record.status == "draft"
    assert "B.4.5" not in record.answers
    assert record.answers["diagnoses"] == [] and record.answers["risk_events_30d"] == 0
    # the edit page shows the progress so far
    html = client.get(response["Location"]).content.decode()
    assert '已完成 <span id="answered-count">25</span>/26' in html
    # submitting with the item still missing is refused, naming it
    response = client.post(response["Location"], form_post(answers, action="submit"))
    assert response.status_code == 400
    assert 'data-testid="error-B.4.5"' in response.content.decode()
    record.refresh_from_db()
    assert record.status == "draft"
    # with every item it is submitted and the result page opens
    response = client.post(f"/assessments/{record.public_id}/edit/", form_post(gbt_answers(1), action="submit"))
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{record.public_id}/"
    record.refresh_from_db()
    assert (record.status, record.total, record.level) == ("submitted", 78, 1)


def test_diagnoses_from_boxes_and_typed_codes_raise_the_level(world):
    client = page_client(world.users["street0"])
    data = form_post(gbt_answers(1), action="submit", diagnoses=["I10", "F03"], diagnoses_other="f20, E11")
    response = client.post(new_url(world, GBT), data)
    assert response.status_code == 302
    record = Assessment.objects.get()
    assert record.answers["diagnoses"] == ["I10", "F03", "F20", "E11"]
    assert record.level == 2


def test_choosing_coma_makes_the_level_complete_disability(world):
    answers = gbt_answers(0)
    answers["B.3.9"] = "coma"
    response = page_client(world.users["street0"]).post(new_url(world, GBT), form_post(answers, action="submit"))
    assert response.status_code == 302
    record = Assessment.objects.get()
    assert (record.answers["B.3.9"], record.level) == ("coma", 4)


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_written(world):
    before = snapshot()
    data = form_post(gbt_answers(1), assessed_on="2099-01-01", risk_events_30d="很多")
    response = page_client(world.users["street0"]).post(new_url(world, GBT), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-risk_events_30d"' in html
    assert snapshot() == before
    data = form_post(gbt_answers(1), assessed_on="2099-01-01")
    html = page_client(world.users["street0"]).post(new_url(world, GBT), data).content.decode()
    assert 'data-testid="error-assessed_on">评估日期不能晚于今天<' in html
    assert snapshot() == before


def test_the_edit_page_is_for_the_records_own_assessor_and_only_while_editable(world):
    record = draft(world)
    assert page_client(world.users["medical0"]).get(f"/assessments/{record.public_id}/edit/").status_code == 403
    from yiyang.assessments.services import assessment_submit

    assessment_submit(actor=world.users["street0"], assessment=record)
    response = page_client(world.users["street0"]).get(f"/assessments/{record.public_id}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{record.public_id}/"


def test_ltc_form_has_no_facts_section(world):
    html = page_client(world.users["street0"]).get(new_url(world, "ltc-2021")).content.decode()
    assert 'data-testid="facts"' not in html
    assert "/17" in html
    assert not AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).exists()
