"""The institution page with many beds and residents: a summary, then two paged, searchable and
filterable lists; discharge is one link per resident leading to its own form."""

import re
from datetime import date

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation

from yiyang.audit.models import AuditEvent
from yiyang.core.testing import World, national_id
from yiyang.elders.models import Elder
from yiyang.organisations.models import Admission, Bed
from yiyang.organisations.tests.support import page_client

pytestmark = pytest.mark.django_db

BED_ROW = 'data-testid="bed" data-state='
RESIDENT_ROW = 'data-testid="resident-row"'


@pytest.fixture
def big(world: World) -> World:
    """institution0 with 80 more beds (B-201-1 … B-240-2) and 45 more residents (住户00 … 住户44)
    in the first 45 of them: 83 beds, 46 residents."""
    institution = world.orgs["institution0"]
    beds = Bed.objects.bulk_create(
        Bed(organisation=institution, building="B", room=str(room), number=str(number), state="occupied")
        for room in range(201, 241)
        for number in (1, 2)
    )
    for i, bed in enumerate(beds[:45]):
        elder = Elder.objects.create(
            name=f"住户{i:02d}",
            national_id=national_id(100 + i),
            birth_date=date(1945, 1, 1),
            sex="F",
            community=world.communities[0][0],
            street=world.streets[0],
            district=world.district,
        )
        Admission.objects.create(elder=elder, organisation=institution, bed=bed, admitted_on=date(2024, 1, 1))
    Bed.objects.filter(pk__in=[bed.pk for bed in beds[45:]]).update(state="free")
    return world


def page(world: World, query: str = "", user: str = "institution0", **headers: str) -> str:
    response = page_client(world.users[user]).get(
        f"/organisations/{world.orgs['institution0'].public_id}/{query}", headers=headers
    )
    assert response.status_code == 200
    return response.content.decode()


def resident_names(html: str) -> list[str]:
    return re.findall(r'data-testid="resident-link">([^<]+)</a>', html)


def test_the_first_page_holds_30_beds_and_20_residents_with_their_totals(big):
    html = page(big)
    assert html.count(BED_ROW) == 30
    assert html.count(RESIDENT_ROW) == 20
    assert 'data-testid="bed-count">共 83 张床位<' in html
    assert 'data-testid="resident-count">共 46 人<' in html
    assert "第 1 / 3 页，共 83 条" in html
    assert "第 1 / 3 页，共 46 条" in html
    # the summary counts every bed, not only the page shown
    assert 'data-testid="beds-occupied">46<' in html
    assert 'data-testid="beds-free">37<' in html


def test_each_list_pages_on_its_own_and_keeps_the_others_place(big):
    html = page(big, "?bpage=3&rq=住户")
    assert html.count(BED_ROW) == 23  # 83 = 30 + 30 + 23
    assert html.count(RESIDENT_ROW) == 20  # the residents stay on their first page
    # the bed pager keeps the resident search; the resident pager keeps the bed page
    assert 'href="?rq=%E4%BD%8F%E6%88%B7&bpage=2"' in html
    assert 'href="?bpage=3&amp;rq=%E4%BD%8F%E6%88%B7&rpage=2"' in html


def test_a_resident_is_found_by_name_and_links_to_the_elder_page(big):
    elder = Elder.objects.get(name="住户37")
    html = page(big, "?rq=住户37")
    assert resident_names(html) == ["住户37"]
    assert f'<a href="/elders/{elder.public_id}/" data-testid="resident-link">住户37</a>' in html


def test_a_resident_is_found_by_bed(big):
    assert resident_names(page(big, "?rq=B-201")) == ["住户00", "住户01"]


def test_beds_filter_by_state_and_building_and_search_by_label(big):
    assert page(big, "?bstate=occupied").count(BED_ROW) == 30
    assert 'data-testid="bed-count">共 46 张床位<' in page(big, "?bstate=occupied")
    html = page(big, "?bbuilding=A")
    assert re.findall(r"<td class=\"fw-semibold text-nowrap\">([^<]+)</td>", html) == ["A-101-1", "A-101-2", "A-101-3"]
    html = page(big, "?bq=B-215")
    assert re.findall(r"<td class=\"fw-semibold text-nowrap\">([^<]+)</td>", html) == ["B-215-1", "B-215-2"]
    html = page(big, "?bq=215")
    assert re.findall(r"<td class=\"fw-semibold text-nowrap\">([^<]+)</td>", html) == ["B-215-1", "B-215-2"]


def test_an_unknown_filter_value_is_ignored(big):
    assert page(big, "?bstate=haunted&bbuilding=Z").count(BED_ROW) == 30


def test_an_occupied_bed_names_its_resident_as_a_link(big):
    elder = Elder.objects.get(name="住户00")
    html = page(big, "?bq=B-201-1")
    assert f'<a href="/elders/{elder.public_id}/">住户00</a>' in html


def test_htmx_asks_one_list_only(big):
    beds = page(big, "?bpage=2", **{"HX-Request": "true", "HX-Target": "bed-list"})
    assert "<html" not in beds
    assert beds.count(BED_ROW) == 30 and RESIDENT_ROW not in beds
    residents = page(big, "?rpage=3", **{"HX-Request": "true", "HX-Target": "resident-list"})
    assert "<html" not in residents
    assert residents.count(RESIDENT_ROW) == 6 and BED_ROW not in residents


def new_admission_views(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before, action="view", entity_type="admission"))


def newest_event() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_the_residents_shown_are_audited_page_by_page(big):
    before = newest_event()
    html = page(big, "?rpage=3")
    [event] = new_admission_views(before)
    listed = [str(Admission.objects.get(elder__name=name).public_id) for name in resident_names(html)]
    # the six residents of page 3 first, then those named at the 30 beds shown (28 occupied)
    at_beds = Admission.objects.filter(
        bed__in=Bed.objects.order_by("building", "room", "number", "id").filter(organisation=big.orgs["institution0"])[
            :30
        ],
        discharged_on__isnull=True,
    )
    assert event.record_ids[:6] == listed and len(listed) == 6
    assert sorted(event.record_ids) == sorted({*listed, *(str(stay.public_id) for stay in at_beds)})
    assert len(event.record_ids) == 6 + 28


def test_the_bed_list_alone_audits_the_residents_it_names(big):
    before = newest_event()
    html = page(big, "?bq=B-201", **{"HX-Request": "true", "HX-Target": "bed-list"})
    [event] = new_admission_views(before)
    stays = Admission.objects.filter(bed__room="201", bed__building="B")
    assert sorted(event.record_ids) == sorted(str(stay.public_id) for stay in stays)
    assert "住户00" in html and "住户01" in html


def test_the_page_stays_small_with_many_beds(big):
    # 83 beds and 46 residents used to be 83 tiles, 46 discharge forms and 83 admit options in one page
    html = page(big)
    assert html.count("<form") <= 30 + 4  # state forms of the beds shown, admit, new bed, two filters
    assert html.count('name="reason"') == 0


# discharge ---------------------------------------------------------------------------------------


def test_the_discharge_link_opens_the_form_for_that_stay(world):
    stay = Admission.objects.get(elder=world.elders["resident0"])
    response = page_client(world.users["institution0"]).get(f"/admissions/{stay.public_id}/discharge/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="/admissions/{stay.public_id}/discharge/"' in html
    assert "resident0老人" in html
    assert world.elders["resident0"].national_id not in html
    assert '<option value="">请选择</option>' in html  # no reason preselected


def test_discharge_through_the_form_and_back_to_the_institution(world):
    stay = Admission.objects.get(elder=world.elders["resident0"])
    response = page_client(world.users["institution0"]).post(
        f"/admissions/{stay.public_id}/discharge/", {"reason": "home", "discharged_on": "2025-03-01"}, follow=True
    )
    assert response.redirect_chain == [(f"/organisations/{world.orgs['institution0'].public_id}/", 302)]
    assert "resident0老人 已办理离院" in response.content.decode()
    stay.refresh_from_db()
    assert (str(stay.discharged_on), stay.discharge_reason) == ("2025-03-01", "home")


def test_a_discharged_stay_is_not_offered_again(world):
    stay = Admission.objects.get(elder=world.elders["resident0"])
    client = page_client(world.users["institution0"])
    institution_page = f"/organisations/{world.orgs['institution0'].public_id}/"
    discharge_link = f'href="/admissions/{stay.public_id}/discharge/"'
    assert discharge_link in client.get(institution_page).content.decode()  # offered while the stay is open
    client.post(f"/admissions/{stay.public_id}/discharge/", {"reason": "home", "discharged_on": "2025-03-01"})
    redirected = client.get(f"/admissions/{stay.public_id}/discharge/")
    assert (redirected.status_code, redirected["Location"]) == (302, institution_page)
    assert discharge_link not in client.get(institution_page).content.decode()
    response = client.post(f"/admissions/{stay.public_id}/discharge/", {"reason": "home"})
    assert response.status_code == 400
    assert (
        '<div class="alert alert-danger py-2" role="alert" data-testid="discharge-errors">该入住记录已办理离院</div>'
        in (response.content.decode())
    )


# numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "第 2 / 1,000 页，共 20,000 条"), ("en", "20,000")])
def test_the_pager_groups_thousands_in_both_languages(language, expected):
    page_obj = Paginator(range(20_000), 20).get_page(2)
    with translation.override(language):
        html = render_to_string("includes/pagination.html", {"page_obj": page_obj, "query_without_page": "q=x"})
    assert expected in html
    assert "20000" not in html
    assert 'href="?q=x&page=1000"' in html  # page numbers in links stay ungrouped
