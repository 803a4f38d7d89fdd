"""The district rules page (table side by side, editor with errors by path, history), the elder
page's 智能监测 section with its HTMX editor, and the navigation link."""

import re

from django.conf import settings
from django.utils import translation

from yiyang.accounts.models import User
from yiyang.monitoring.engine.rules import load_default_rules
from yiyang.monitoring.models import DistrictRuleOverride, DistrictRuleVersion, ElderMonitoringProfile
from yiyang.monitoring.services import district_rules_set, elder_monitoring_profile_set
from yiyang.monitoring.tests.support import HR_140, counts, district_b
from yiyang.organisations.tests.support import page_client

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_url(world):
    return f"/monitoring/rules/{world.district.public_id}/"


def text_of(response):
    return response.content.decode()


def cell(html, row_testid, column):
    match = re.search(rf'data-testid="{re.escape(row_testid)}".*?data-testid="{column}">(.*?)</td>', html, re.S)
    assert match, row_testid
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_home_link_leads_to_the_accounts_district(world):
    response = page_client(world.users["street0"]).get("/monitoring/rules/")
    assert (response.status_code, response["Location"]) == (302, page_url(world))
    assert 'data-testid="nav-monitoring-rules"' in text_of(page_client(world.users["street0"]).get("/"))
    assert 'data-testid="nav-monitoring-rules"' not in text_of(page_client(world.users["family0"]).get("/"))


def test_the_page_shows_defaults_sources_override_and_effective_values(world):
    district_rules_set(actor=world.users["bureau"], district=world.district, document=HR_140, note="会议纪要")
    html = text_of(page_client(world.users["street0"]).get(page_url(world)))
    assert "本区覆盖规则第 1 版，bureau 于" in html and "会议纪要" in html
    assert cell(html, "value-hr_high.params.threshold", "override") == "140"
    assert cell(html, "value-hr_high.params.threshold", "effective") == "140"
    assert cell(html, "value-hr_high.params.min_count", "override") == "—"
    assert cell(html, "value-hr_high.params.min_count", "effective") == "2"
    assert cell(html, "value-config.timezone", "effective") == "Asia/Shanghai"
    assert "NEWS2 pulse &gt;= 131 scores 3 [V]" in html  # source
    assert "HR &gt;= 131 bpm on 2 readings &gt;= 2 min apart." in html  # basis
    assert html.count('data-testid="unverified"') == len(load_default_rules()["rules"]) + 3  # all unverified
    assert html.count('data-testid="version-row"') == 1
    assert 'data-testid="rules-editor"' not in html  # street staff read, district officers edit


def test_an_officer_saves_through_the_editor_and_sees_the_new_version(world):
    client = page_client(world.users["bureau"])
    assert 'data-testid="rules-editor"' in text_of(client.get(page_url(world)))
    response = client.post(
        page_url(world), {"document": '{"rules": {"hr_low": {"params": {"threshold": 38}}}}', "note": "试点"}
    )
    assert (response.status_code, response["Location"]) == (302, page_url(world))
    html = text_of(client.get(page_url(world)))
    assert "已保存本区监测规则。" in html
    assert cell(html, "value-hr_low.params.threshold", "effective") == "38"
    assert list(DistrictRuleVersion.objects.values_list("version", "note")) == [(1, "试点")]


def test_editor_errors_are_shown_by_path_and_nothing_is_saved(world):
    client = page_client(world.users["bureau"])
    before = counts()
    bad = '{"rules": {"hr_high": {"params": {"threshold": "abc"}}}}'
    response = client.post(page_url(world), {"document": bad, "note": "x"})
    assert response.status_code == 400
    html = text_of(response)
    assert '<li data-testid="problem"><code>rules.hr_high.params.threshold</code> 应为数字</li>' in html
    assert "&quot;abc&quot;" in html  # the text typed is kept in the editor
    response = client.post(page_url(world), {"document": "{rules: 1}"})
    assert response.status_code == 400
    assert "<code>document</code> 不是有效的 JSON（第1行第2列）" in text_of(response)
    assert counts() == before


def test_htmx_editor_answers_with_the_partial_or_a_redirect(world):
    client = page_client(world.users["bureau"])
    response = client.post(page_url(world), {"document": '{"rulez": {}}'}, **HTMX)
    assert response.status_code == 200
    html = text_of(response)
    assert html.startswith('<section class="card mb-3" id="rules-editor"')
    assert "<code>rulez</code>" in html
    response = client.post(page_url(world), {"document": ""}, **HTMX)
    assert (response.status_code, response["HX-Redirect"]) == (200, page_url(world))
    assert list(DistrictRuleVersion.objects.values_list("version", "document")) == [(1, {})]


def test_the_elder_page_shows_the_monitoring_section(world):
    elder = world.elders["elder0"]
    elder_monitoring_profile_set(
        actor=world.users["street0"],
        elder=elder,
        flags=["copd"],
        override={"rules": {"hr_high": {"params": {"threshold": 150}}}},
        note="家属告知",
    )
    html = text_of(page_client(world.users["street0"]).get(f"/elders/{elder.public_id}/"))
    section = html[html.index('data-testid="monitoring-profile"') :]
    assert "慢阻肺（血氧按 NEWS2 第二标尺）" in section
    assert (
        '<td><code>hr_high.params.threshold</code></td><td class="font-monospace">131</td><td class="font-monospace">150</td>'
        in section
    )
    assert 'data-testid="profile-editor"' in section
    readonly = text_of(page_client(world.users["health_officer"]).get(f"/elders/{elder.public_id}/"))
    assert "慢阻肺" in readonly and 'data-testid="profile-editor"' not in readonly


def test_the_elder_page_has_no_monitoring_section_without_the_right(world):
    # Institution staff reach their residents but do not hold monitoring.rules.view by default.
    html = text_of(page_client(world.users["institution0"]).get(f"/elders/{world.elders['resident0'].public_id}/"))
    assert 'data-testid="section-elders-basic"' in html
    assert 'data-testid="section-monitoring-profile"' not in html
    assert 'data-testid="monitoring-profile"' not in html


def test_without_a_recorded_profile_the_section_says_the_district_rules_apply(world):
    html = text_of(page_client(world.users["street0"]).get(f"/elders/{world.elders['elder0'].public_id}/"))
    section = html[html.index('data-testid="section-monitoring-profile"') :]
    assert '<h2 class="h6">智能监测</h2>' in section
    assert "未设置个人监测标记、病史或覆盖规则：按本区监测规则执行。" in section
    assert 'data-testid="profile-editor"' in section


def test_the_section_editor_saves_over_htmx(world):
    elder = world.elders["elder0"]
    url = f"/monitoring/elders/{elder.public_id}/profile/"
    client = page_client(world.users["station0"])
    response = client.post(url, {"flags": ["dementia"], "override": "", "note": "夜间游走"}, **HTMX)
    assert response.status_code == 200
    html = text_of(response)
    assert html.startswith('<div id="monitoring-profile"')
    assert 'data-testid="profile-saved"' in html and "认知障碍（启用夜间出门未归告警）" in html
    profile = ElderMonitoringProfile.objects.get(elder=elder)
    assert (profile.flags, profile.override, profile.note, profile.updated_by) == (
        ["dementia"],
        {},
        "夜间游走",
        world.users["station0"],
    )

    response = client.post(
        url, {"flags": ["dementia", "gout"], "override": '{"rules": {"sos": {"enabled": 0}}}'}, **HTMX
    )
    assert response.status_code == 200
    html = text_of(response)
    assert "<code>flags[1]</code>" in html and "<code>rules.sos.enabled</code> 应为 true 或 false" in html
    assert " open>" in html  # the editor stays open with what was typed
    assert ElderMonitoringProfile.objects.get(elder=elder).revision == 1


def test_the_section_shows_and_saves_conditions_and_medication(world):
    elder = world.elders["elder0"]
    url = f"/monitoring/elders/{elder.public_id}/profile/"
    client = page_client(world.users["station0"])
    posted = {"flags": [], "override": "", "conditions": "高血压；2型糖尿病", "medication": "二甲双胍", "note": ""}
    response = client.post(url, posted, **HTMX)
    assert response.status_code == 200
    html = text_of(response)
    assert '<p class="mb-2" data-testid="monitoring-conditions">高血压；2型糖尿病</p>' in html
    assert '<p class="mb-2" data-testid="monitoring-medication">二甲双胍</p>' in html
    assert (
        'name="conditions" rows="2" maxlength="500" placeholder="如：高血压；2型糖尿病；房颤">高血压；2型糖尿病</textarea>'
        in html
    )
    profile = ElderMonitoringProfile.objects.get(elder=elder)
    assert (profile.conditions, profile.medication) == ("高血压；2型糖尿病", "二甲双胍")
    page = text_of(page_client(world.users["street0"]).get(f"/elders/{elder.public_id}/"))
    assert 'data-testid="monitoring-medication">二甲双胍</p>' in page

    refused = client.post(url, {**posted, "conditions": "高" * 501, "medication": "阿司匹林"}, **HTMX)
    html = text_of(refused)
    assert "<code>conditions</code> 既往病史不能超过500个字符" in html
    assert (
        'name="medication" rows="2" maxlength="500" placeholder="如：阿司匹林 100mg qd；二甲双胍">阿司匹林</textarea>'
        in html
    )
    assert ElderMonitoringProfile.objects.get(elder=elder).medication == "二甲双胍"


def test_the_profile_page_without_htmx(world):
    elder = world.elders["elder0"]
    url = f"/monitoring/elders/{elder.public_id}/profile/"
    client = page_client(world.users["street0"])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="section-monitoring"' in text_of(page)
    response = client.post(url, {"flags": ["copd"], "override": "", "note": ""})
    assert (response.status_code, response["Location"]) == (302, f"/elders/{elder.public_id}/")
    refused = client.post(url, {"flags": ["copd"], "override": "[1]"})
    assert refused.status_code == 400
    assert "<code>override</code> 覆盖规则应为 JSON 对象（键值对）" in text_of(refused)


def test_a_superuser_chooses_among_every_district(world):
    other = district_b(world)
    admin = User.objects.create_superuser(username="root", password="x-Test-pass-1")
    html = text_of(page_client(admin).get("/monitoring/rules/"))
    assert html.count('<li class="list-group-item">') == 2
    assert f"/monitoring/rules/{world.district.public_id}/" in html and f"/monitoring/rules/{other.public_id}/" in html


def test_a_stored_override_the_defaults_no_longer_accept_is_flagged_and_not_applied(world):
    district_rules_set(actor=world.users["bureau"], district=world.district, document=HR_140)
    # The defaults changed under the stored document (simulated by writing around the service).
    DistrictRuleOverride.objects.update(document={"rules": {"retired_rule": {"enabled": False}}})
    html = text_of(page_client(world.users["street0"]).get(page_url(world)))
    assert 'data-testid="rules-problem"' in html
    assert "rules: unknown rule &#x27;retired_rule&#x27;" in html
    assert cell(html, "value-hr_high.params.threshold", "effective") == "131"


def test_the_elder_page_audits_reading_a_recorded_monitoring_profile_once(world):
    from yiyang.audit.models import AuditEvent

    elder = world.elders["elder0"]
    elder_monitoring_profile_set(
        actor=world.users["street0"], elder=elder, flags=["copd"], override={}, conditions="高血压", medication=""
    )
    response = page_client(world.users["street0"]).get(f"/elders/{elder.public_id}/")
    assert response.status_code == 200
    views = AuditEvent.objects.filter(entity_type="monitoring_profile", action="view")
    assert [(e.actor, e.entity_id) for e in views] == [(world.users["street0"], str(elder.public_id))]


def test_rule_values_read_in_words_beside_their_raw_keys(world):
    html = text_of(page_client(world.users["street0"]).get(page_url(world)))
    assert cell(html, "value-sos.severity", "effective") == "紧急"
    assert cell(html, "value-fall.params.cancel_severity", "default") == "关注"
    assert cell(html, "value-fall.params.movement_grace_s", "default") == "5 秒"
    assert '<strong>读数有效性</strong> <code class="small">validity</code>' in html
    assert '<span class="badge text-bg-light border" data-testid="rule-severity">紧急</span>' in html
    assert cell(html, "value-sos.enabled", "effective") == "是"
    assert cell(html, "value-config.rearm_s", "effective") == "1 小时 · 3600"
    assert cell(html, "value-sos.params.rearm_s", "effective") == "1 分钟 · 60"
    assert cell(html, "value-suppression.inhibit_by", "effective") == "sos、fall"
    assert '重复提醒间隔 <code class="small text-break">params.rearm_s</code>' in html  # label beside the raw key
    assert (
        '<td class="text-break text-wrap"><code class="small text-break">params.min_params</code></td>' in html
    )  # unknown: raw
    assert "severity emergency" not in html and ">true<" not in html and '["sos", "fall"]' not in html


def test_rule_values_read_in_english(world):
    client = page_client(world.users["street0"])
    client.cookies["django_language"] = "en"
    try:
        html = text_of(client.get(page_url(world)))
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request leaves English active
    assert cell(html, "value-sos.severity", "effective") == "Emergency"
    assert cell(html, "value-sos.enabled", "effective") == "Yes"
    assert cell(html, "value-config.rearm_s", "effective") == "1 h · 3600"
