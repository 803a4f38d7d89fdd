"""`yiyang seed_assessments`: the demo district gets confirmed assessments at every level."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from yiyang.accounts.models import User
from yiyang.assessments.models import Assessment
from yiyang.assessments.selectors import assessments_due, elder_current_levels
from yiyang.elders.models import Elder

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("seed_assessments", *args, stdout=out)
    return out.getvalue()


def test_every_level_and_grade_appears_and_a_second_run_adds_nothing():
    # given the demo district
    call_command("seed", "--elders", "300", stdout=StringIO())
    # when
    output = run("--awaiting-review", "0")
    # then
    elders = Elder.objects.count()
    ability = Assessment.objects.filter(scale="gbt42195-2022")
    care = Assessment.objects.filter(scale="ltc-2021")
    assert ability.count() == elders
    assert care.count() == round(elders * 0.3)
    assert set(ability.values_list("level", flat=True)) == {0, 1, 2, 3, 4}
    assert set(care.values_list("level", flat=True)) == {0, 1, 2, 3, 4, 5}
    assert set(Assessment.objects.values_list("status", flat=True)) == {"confirmed"}
    assert not Assessment.objects.filter(reviewer=None).exists()
    assert set(Assessment.objects.values_list("reviewer__username", flat=True)) == {"reviewer"}
    assessors = set(Assessment.objects.values_list("assessor__username", flat=True))
    assert assessors <= {"assessor_huli", "doctor", "assessor_district"} and "assessor_huli" in assessors
    names = ["assessor_huli", "doctor", "assessor_district"]
    assert User.objects.filter(username__in=names, is_assessor=True).count() == 3
    assert "已生成" in output
    # the results are the scale layer's: a level-2 record explains itself
    sample = ability.filter(level=2).first()
    assert sample.result["level_name"] == "能力中度受损（中度失能）"
    assert sample.result["explanation"][0]["kind"] == "sum"
    # some records are lapsing or lapsed, so the due list has work
    assert assessments_due(user=User.objects.get(username="bureau")).exists()
    # an elder's profile shows a current level
    elder = ability.order_by("-assessed_on").first().elder
    assert elder_current_levels(elder=elder).ability.current is not None
    # again: nothing new
    before = Assessment.objects.count()
    run("--awaiting-review", "0")
    assert Assessment.objects.count() == before


def test_the_demo_assessor_logs_in_and_sees_the_profile_section():
    call_command("seed", "--elders", "100", stdout=StringIO())
    run()
    user = User.objects.get(username="assessor_huli")
    client = Client()
    client.force_login(user)
    record = Assessment.objects.filter(assessor=user, status="confirmed").first()
    html = client.get(f"/elders/{record.elder.public_id}/").content.decode()
    assert 'data-testid="current-ability"' in html
    assert 'data-testid="new-assessment"' in html


def test_reassessments_wait_for_review_so_reviewers_have_work():
    call_command("seed", "--elders", "100", stdout=StringIO())
    run()
    submitted = Assessment.objects.filter(status="submitted")
    assert submitted.count() == 6
    assert set(submitted.values_list("assessor__username", "reason")) == {("assessor_huli", "reassessment")}
    assert submitted.values("elder").distinct().count() == 6
    # the health officer's home card lists them; a second run tops up rather than doubles
    client = Client()
    client.force_login(User.objects.get(username="health"))
    html = client.get("/").content.decode()
    assert 'data-testid="card-assessments-review"' in html and 'data-testid="card-count">6<' in html
    run()
    assert Assessment.objects.filter(status="submitted").count() == 6


def test_missing_demo_accounts_are_reported():
    with pytest.raises(CommandError):
        run()


def test_demo_records_are_signed_by_named_people_with_qualification_numbers():
    # Defect: the demo's assessments were signed by office accounts ("湖里街道（演示）", "区卫健局（演示）").
    call_command("seed", "--elders", "100", stdout=StringIO())
    run()
    record = (
        Assessment.objects.select_related("assessor", "reviewer")
        .filter(assessor__username="assessor_huli", status="confirmed")
        .first()
    )
    assert (record.assessor.full_name, record.reviewer.full_name) == ("张丽", "王建国")
    assert record.assessor_snapshot == {
        "name": "张丽",
        "username": "assessor_huli",
        "qualification_number": "演示-评估员-350206-2024-017",
        "organisation": "湖里街道",
    }
    assert record.reviewer_snapshot["qualification_number"] == "演示-评估员-350206-2023-004"
    office_accounts = User.objects.filter(username__in=["bureau", "health", "street_huli", "centre_huli"])
    assert all("演示" not in u.full_name and u.full_name for u in office_accounts)
    assert not Assessment.objects.filter(assessor__in=office_accounts).exists()
    assert not Assessment.objects.filter(reviewer__in=office_accounts).exists()
