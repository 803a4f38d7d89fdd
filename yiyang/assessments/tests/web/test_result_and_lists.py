"""The result page (explanation, unverified warning, review actions), the lists and the profile."""

import pytest

from yiyang.assessments.tests.support import (
    LTC,
    confirmed,
    days_ago,
    draft,
    gbt_answers,
    ltc_answers,
    page_client,
    submitted,
)
from yiyang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def detail(world, user, record):
    return page_client(world.users[user]).get(f"/assessments/{record.public_id}/")


def test_the_result_page_explains_the_level_and_audits_the_view(world):
    record = submitted(world, answers=gbt_answers(1, diagnoses=["F03"], risk_events_30d=2))
    response = detail(world, "medical0", record)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="level-name">能力重度受损（重度失能）<' in html
    assert html.count('data-testid="group-row"') == 4
    assert "C4 第2条" in html and "C4 第3条" in html
    # both raises applied because stacking is on, a setting the standard is silent on: flagged
    assert 'data-testid="unverified-warning"' in html
    assert "stack_level_rules=true" in html
    assert 'data-testid="review-actions"' in html  # medical0 reviews street0's work
    assert AuditEvent.objects.filter(action="view", entity_id=str(record.public_id)).count() == 1


def test_an_unverified_result_shows_a_warning_listing_each_value(world):
    record = confirmed(world, scale=LTC, answers=ltc_answers(4))
    html = detail(world, "street0", record).content.decode()
    assert 'data-testid="unverified-warning"' in html
    for sentence in record.result["unverified"]:
        assert sentence in html
    assert 'data-testid="correct-actions"' in html
    assert 'data-testid="review-actions"' not in html


def test_the_assessor_sees_no_review_buttons_on_their_own_work(world):
    record = submitted(world, assessor="medical0")
    html = detail(world, "medical0", record).content.decode()
    assert 'data-testid="review-actions"' not in html


def test_confirm_and_return_from_the_page(world):
    record = submitted(world)
    client = page_client(world.users["medical0"])
    response = client.post(f"/assessments/{record.public_id}/return/", {"reason": "请核对 B.2.3"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.returned_reason) == ("returned", "请核对 B.2.3")
    html = detail(world, "street0", record).content.decode()
    assert 'data-testid="returned-reason">退回原因：请核对 B.2.3<' in html
    assert 'data-testid="edit-link"' in html


def test_correct_from_the_page_opens_the_new_draft(world):
    record = confirmed(world)
    response = page_client(world.users["street0"]).post(f"/assessments/{record.public_id}/correct/", {"note": "录错"})
    correction = type(record).objects.get(supersedes=record)
    assert response["Location"] == f"/assessments/{correction.public_id}/edit/"


def test_the_list_page_filters_by_status(world):
    submitted(world)
    confirmed(world, elder="resident0")
    client = page_client(world.users["medical0"])
    html = client.get("/assessments/?status=submitted").content.decode()
    assert html.count('data-testid="assessment-row"') == 1
    assert 'data-testid="total">共 1 条<' in html


def test_the_due_page_lists_lapsing_lapsed_and_returned(world):
    confirmed(world, assessed_on=days_ago(400))
    html = page_client(world.users["street0"]).get("/assessments/due/").content.decode()
    assert html.count('data-testid="due-row"') == 1
    assert 'data-testid="due-reason">已过期<' in html
    assert "重新评估" in html


def test_the_profile_shows_current_level_grade_history_and_the_new_link(world):
    old = confirmed(world, answers=gbt_answers(0), assessed_on=days_ago(200))
    current = confirmed(world, answers=gbt_answers(3), assessed_on=days_ago(20))
    confirmed(world, scale=LTC, answers=ltc_answers(3), assessed_on=days_ago(15))
    draft(world, elder="elder0")
    html = page_client(world.users["street0"]).get(f"/elders/{world.elders['elder0'].public_id}/").content.decode()
    section = html[
        html.index('data-testid="section-assessments-levels"') : html.index('data-testid="section-monitoring-profile"')
    ]
    assert "能力重度受损（重度失能）" in section
    assert "重度失能Ⅰ级" in section
    assert section.count('data-testid="history-row"') == 3
    assert f"/assessments/{current.public_id}/" in section and f"/assessments/{old.public_id}/" in section
    assert 'data-testid="assessments-in-progress"' in section
    assert 'data-testid="new-assessment"' in section


def test_the_profile_says_when_the_level_lapsed(world):
    confirmed(world, answers=gbt_answers(2), assessed_on=days_ago(400))
    html = page_client(world.users["street0"]).get(f"/elders/{world.elders['elder0'].public_id}/").content.decode()
    assert 'data-testid="ability-lapsed"' in html


def test_family_see_confirmed_results_and_no_new_link(world):
    confirmed(world, answers=gbt_answers(1))
    draft(world)
    html = page_client(world.users["family0"]).get(f"/elders/{world.elders['elder0'].public_id}/").content.decode()
    assert "能力轻度受损（轻度失能）" in html
    assert 'data-testid="assessments-in-progress"' not in html
    assert 'data-testid="new-assessment"' not in html


def test_without_records_the_section_says_so(world):
    html = page_client(world.users["centre0"]).get(f"/elders/{world.elders['elder0'].public_id}/").content.decode()
    assert (
        '<h2 class="h6">能力评估</h2><p class="text-muted mb-0" data-testid="empty-hint">'
        "尚未评估。由具备评估员资格的工作人员在本页发起评估。</p>"
    ) in html
    assert 'data-testid="new-assessment"' not in html  # centre0 lacks the assessor qualification
