"""The 登记状况变更 page and the 状况变更 section of the elder profile (the permission-matrix rows are in
tests/test_permission_matrix.py)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.audit.models import AuditEvent
from yiyang.elders.models import ElderFactChange

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(elder) -> str:
    return f"/elders/{elder.public_id}/facts/"


def errors_at(html: str, field: str) -> list[str]:
    return re.findall(rf'data-testid="error-{field}">([^<]*)<', html)


def options(html: str) -> list[str]:
    select = re.search(r'<select name="change".*?</select>', html, re.S)
    assert select
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def days_ago(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def test_the_form_offers_every_change_with_the_current_values_marked(world):
    html = client_for(world.users["street0"]).get(url(world.elders["elder0"])).content.decode()
    assert options(html) == [
        "",
        "economic_status:dibao",
        "economic_status:tekun",
        "economic_status:low_income",
        "economic_status:ordinary",
        "household_registration:registered",
        "household_registration:resident",
        "status:deceased",
        "status:moved_out",
        "status:active",
    ]
    assert '<option value="economic_status:ordinary">普通（当前）</option>' in html
    assert '<option value="status:active">恢复在册（当前）</option>' in html
    assert '<option value="status:deceased">去世</option>' in html
    assert '<input type="date" name="effective_on"' in html


def test_a_deceased_elder_may_be_put_back_on_the_roll(world):
    elder = world.elders["elder0"]
    elder.status = "deceased"
    elder.save(update_fields=["status"])
    client = client_for(world.users["street0"])
    html = client.get(url(elder)).content.decode()
    assert '<option value="status:deceased">去世（当前）</option>' in html
    assert '<option value="status:active">恢复在册</option>' in html

    response = client.post(url(elder), {"change": "status:active", "effective_on": days_ago(2)})

    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.status == "active"


def test_a_death_is_recorded_and_the_profile_shows_it(world):
    elder = world.elders["elder0"]
    client = client_for(world.users["street0"])

    response = client.post(
        url(elder), {"change": "status:deceased", "effective_on": days_ago(6), "basis": "死亡证明 A123"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/elders/{elder.public_id}/"
    stored = ElderFactChange.objects.get()
    assert (stored.field, stored.old_value, stored.new_value, stored.effective_on.isoformat(), stored.basis) == (
        "status",
        "active",
        "deceased",
        days_ago(6),
        "死亡证明 A123",
    )
    elder.refresh_from_db()
    assert elder.status == "deceased"
    html = client.get(response["Location"]).content.decode()
    assert "已登记状况变更。" in html
    section = html[html.index('data-testid="section-elders-facts"') :]
    section = section[: section.index("</section>")]
    assert section.count('data-testid="fact-change-row"') == 1
    assert f'<time class="font-monospace" datetime="{days_ago(6)}">' in section
    assert "<span>在册 → 去世</span>" in section
    assert "依据：死亡证明 A123" in section
    assert "street0 · 第1街道" in section


def test_every_problem_shows_at_its_input_in_one_round(world):
    elder = world.elders["elder0"]
    future = (timezone.localdate() + timedelta(days=2)).isoformat()

    response = client_for(world.users["street0"]).post(
        url(elder), {"change": "", "effective_on": future, "basis": "依" * 301}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert errors_at(html, "change") == ["请选择变更事项"]
    assert errors_at(html, "effective_on") == ["生效日期不能晚于今天"]
    assert errors_at(html, "basis") == ["不能超过300个字符"]
    assert re.search(r'<select name="change" class="form-select is-invalid"', html)
    assert re.search(r'<input type="date" name="effective_on" value="[0-9-]+" class="form-control is-invalid"', html)
    assert ElderFactChange.objects.count() == 0
    elder.refresh_from_db()
    assert elder.status == "active"


@pytest.mark.parametrize(
    ("effective_on", "reason"),
    [
        (lambda: days_ago(1099), "生效日期不能早于三年前"),
        (lambda: "2026-02-30", "请填写有效的日期"),
        (lambda: "", "请填写生效日期"),
    ],
)
def test_a_date_that_is_refused_is_named_at_the_date(world, effective_on, reason):
    response = client_for(world.users["street0"]).post(
        url(world.elders["elder0"]), {"change": "economic_status:dibao", "effective_on": effective_on()}
    )
    html = response.content.decode()
    assert errors_at(html, "effective_on") == [reason]
    assert errors_at(html, "change") == []
    assert ElderFactChange.objects.count() == 0


def test_a_change_to_the_value_the_elder_has_is_refused_at_the_change(world):
    response = client_for(world.users["street0"]).post(
        url(world.elders["elder0"]), {"change": "economic_status:ordinary", "effective_on": days_ago(1)}
    )
    assert errors_at(response.content.decode(), "change") == ["与当前状况相同，无需变更"]
    assert ElderFactChange.objects.count() == 0


def test_a_value_that_is_not_offered_is_refused_at_the_change(world):
    response = client_for(world.users["street0"]).post(
        url(world.elders["elder0"]), {"change": "name:张三", "effective_on": days_ago(1)}
    )
    assert errors_at(response.content.decode(), "change") == ["选择一个有效的选项。 name:张三 不在可用的选项中。"]
    assert ElderFactChange.objects.count() == 0


def test_the_profile_offers_the_action_only_with_elders_change(world):
    elder = world.elders["elder0"]
    action = 'data-testid="fact-change-action"'
    with_right = client_for(world.users["street0"]).get(f"/elders/{elder.public_id}/").content.decode()
    assert action in with_right
    assert f'href="/elders/{elder.public_id}/facts/"' in with_right
    readonly = client_for(world.users["street0_readonly"]).get(f"/elders/{elder.public_id}/").content.decode()
    assert action not in readonly
    assert f'href="/elders/{elder.public_id}/facts/"' not in readonly
    # The section is there for the reader, empty, saying what to do.
    assert "暂无状况变更记录。" in readonly


def test_the_section_lists_changes_latest_first_and_the_profile_audits_them(world):
    elder = world.elders["elder0"]
    client = client_for(world.users["street0"])
    for change, days in (("economic_status:dibao", 30), ("household_registration:resident", 5)):
        assert client.post(url(elder), {"change": change, "effective_on": days_ago(days)}).status_code == 302
    rows = list(ElderFactChange.objects.order_by("-effective_on"))

    html = client_for(world.users["street0_readonly"]).get(f"/elders/{elder.public_id}/").content.decode()

    section = html[html.index('data-testid="section-elders-facts"') :]
    section = section[: section.index("</section>")]
    assert re.findall(r"<span>([^<]*→[^<]*)</span>", section) == ["户籍 → 常住（非户籍）", "普通 → 低保"]
    event = AuditEvent.objects.get(action="view", entity_type="elder_fact_change")
    assert event.actor == world.users["street0_readonly"]
    assert event.record_ids == [str(r.public_id) for r in rows]


def test_family_do_not_see_the_section(world):
    elder = world.elders["elder0"]
    client_for(world.users["street0"]).post(
        url(elder), {"change": "economic_status:dibao", "effective_on": days_ago(3)}
    )
    html = client_for(world.users["family0"]).get(f"/elders/{elder.public_id}/").content.decode()
    assert 'data-testid="section-elders-basic"' in html
    assert 'data-testid="section-elders-facts"' not in html
    assert not AuditEvent.objects.filter(entity_type="elder_fact_change", actor=world.users["family0"]).exists()
