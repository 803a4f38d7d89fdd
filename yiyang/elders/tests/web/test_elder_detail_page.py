"""The 360° profile page: full identifiers for those in reach, an audit event for each opening."""

import pytest
from django.test import Client

from yiyang.audit.models import AuditEvent
from yiyang.elders.models import EmergencyContact, Home, HomeMember

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(elder) -> str:
    return f"/elders/{elder.public_id}/"


def test_profile_shows_the_full_record_and_audits_the_view(world):
    # given
    resident0 = world.elders["resident0"]
    home = Home.objects.create(
        address="幸福路1号",
        community=world.communities[0][0],
        street=world.streets[0],
        district=world.district,
        key_holder="邻居老李",
    )
    HomeMember.objects.create(home=home, name="王小芳", relation="配偶", phone="13700001234")
    resident0.home = home
    resident0.special_statuses = ["veteran"]
    resident0.monitoring_consent = True
    resident0.save(update_fields=["home", "special_statuses", "monitoring_consent"])
    EmergencyContact.objects.create(elder=resident0, name="王强", relation="儿子", phone="13800001111")
    client = client_for(world.users["street0"])
    # when
    response = client.get(url(resident0))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span class="font-monospace" data-testid="national-id-full">{resident0.national_id}</span>' in html
    assert f'<span class="font-monospace" data-testid="phone-full">{resident0.phone}</span>' in html
    for text in (
        "幸福路1号",
        "王小芳",
        "配偶",
        "王强",
        "13800001111",
        "优抚对象",
        "station0机构",
        "health0机构",
        "institution0机构",
        "床位 A-101-1",
        "2025-01-01 入住",
        "第1街道第1社区",
    ):
        assert text in html, text
    # No placeholder sections: health records and subsidies arrive as registered sections later.
    page = html.split("<main", 1)[1]  # the menu's 补贴 entry is not a section
    assert "健康档案" not in page and "补贴" not in page and "尚无记录" not in page
    event = AuditEvent.objects.get(action="view", entity_type="elder", entity_id=str(resident0.public_id))
    assert (event.actor, event.entity_type, event.entity_id) == (
        world.users["street0"],
        "elder",
        str(resident0.public_id),
    )
    assert event.fields == ["national_id", "phone"]
    assert event.path == url(resident0)


def test_profile_without_admission_or_home_says_so(world):
    html = client_for(world.users["street0"]).get(url(world.elders["elder0"])).content.decode()

    assert "未入住机构" in html
    assert '<section class="card h-100" data-testid="section-elders-home">' in html
    assert "未关联家庭：上门服务和设备安装需要住址。请在“修改”中选择家庭。" in html


@pytest.mark.parametrize(
    ("username", "status"),
    [("street1", 404), ("street0_noright", 404), ("street0_readonly", 200), ("street0", 200)],
)
def test_profile_permissions(world, username, status):
    response = client_for(world.users[username]).get(url(world.elders["elder0"]))

    assert response.status_code == status
    record_views = AuditEvent.objects.filter(action="view", entity_type="elder").exclude(entity_id="")
    assert record_views.count() == (1 if status == 200 else 0)
    if status == 404:
        assert not AuditEvent.objects.filter(action="view").exists()
    if status == 404:
        assert world.elders["elder0"].national_id not in response.content.decode()


def test_unknown_or_malformed_id_is_404(world):
    client = client_for(world.users["bureau"])

    assert client.get("/elders/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/elders/not-a-uuid/").status_code == 404


def test_anonymous_is_sent_to_login(world):
    response = Client().get(url(world.elders["elder0"]))

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url(world.elders['elder0'])}"
    assert not AuditEvent.objects.exists()
