import pytest
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.core.errors import Forbidden, ValidationFailed
from yiyang.core.testing import national_id
from yiyang.elders.services import elder_update

pytestmark = pytest.mark.django_db


def test_moving_community_rewrites_street_and_audits_field_names_only(world):
    elder = world.elders["elder0"]
    target = world.communities[0][1]

    elder_update(actor=world.users["street0"], elder=elder, changes={"community": target, "phone": "13999998888"})

    elder.refresh_from_db()
    assert (elder.community, elder.street, elder.phone) == (target, world.streets[0], "13999998888")
    event = AuditEvent.objects.get(action="change", entity_id=str(elder.public_id))
    assert event.fields == ["community", "phone"]
    assert "13999998888" not in event.summary


def test_moving_to_a_community_out_of_reach_is_refused(world):
    elder = world.elders["elder0"]
    with pytest.raises(ValidationFailed) as exc:
        elder_update(actor=world.users["street0"], elder=elder, changes={"community": world.communities[1][0]})
    assert [(e.field, e.code) for e in exc.value.errors] == [("community", "not_found")]
    elder.refresh_from_db()
    assert elder.street == world.streets[0]


def test_changing_the_national_id_rederives_birth_date_and_sex(world):
    from datetime import date

    elder = world.elders["elder0"]
    new_id = national_id(202, birth=date(1944, 8, 9))
    elder_update(actor=world.users["street0"], elder=elder, changes={"national_id": new_id})
    elder.refresh_from_db()
    assert (elder.national_id, elder.birth_date, elder.sex) == (new_id, date(1944, 8, 9), "F")


def test_an_id_of_another_elder_is_a_duplicate(world):
    with pytest.raises(ValidationFailed) as exc:
        elder_update(
            actor=world.users["bureau"],
            elder=world.elders["elder0"],
            changes={"national_id": world.elders["elder1"].national_id},
        )
    assert [(e.field, e.code) for e in exc.value.errors] == [("national_id", "duplicate")]


def test_unknown_field_is_named(world):
    with pytest.raises(ValidationFailed) as exc:
        elder_update(actor=world.users["street0"], elder=world.elders["elder0"], changes={"salary": 1})
    assert [(e.field, e.code) for e in exc.value.errors] == [("salary", "unknown_field")]


def test_no_op_change_writes_no_audit_event(world):
    before = AuditEvent.objects.count()
    elder_update(
        actor=world.users["street0"], elder=world.elders["elder0"], changes={"phone": world.elders["elder0"].phone}
    )
    assert AuditEvent.objects.count() == before


def test_readonly_account_may_not_change(world):
    with pytest.raises(Forbidden):
        elder_update(
            actor=world.users["street0_readonly"], elder=world.elders["elder0"], changes={"phone": "13900000000"}
        )


def test_monitoring_consent_records_when_it_was_given(world):
    elder = world.elders["elder0"]
    elder_update(actor=world.users["street0"], elder=elder, changes={"monitoring_consent": True})
    elder.refresh_from_db()
    assert elder.monitoring_consent is True
    assert elder.monitoring_consent_at is not None


def test_record_api_shows_full_values_and_logs_who_from_where(world):
    client = APIClient(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-agent")
    client.force_authenticate(world.users["station0"])
    elder = world.elders["elder0"]

    body = client.get(f"/api/v1/elders/{elder.public_id}/").json()

    assert body["national_id"] == elder.national_id
    event = AuditEvent.objects.get(action="view", entity_id=str(elder.public_id))
    assert (event.actor_label, event.ip_address, event.user_agent) == ("station0", "10.1.2.3", "pytest-agent")
    assert event.path == f"/api/v1/elders/{elder.public_id}/"
    assert event.fields == ["national_id", "phone"]


def test_list_api_masks_id_and_phone(world):
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    rows = client.get("/api/v1/elders/").json()["results"]
    elder = world.elders["elder0"]
    row = next(r for r in rows if r["id"] == str(elder.public_id))
    assert row["national_id_masked"] == elder.national_id[:4] + "*" * 10 + elder.national_id[-4:]
    assert row["phone_masked"] == elder.phone[:3] + "****" + elder.phone[-4:]
    assert elder.national_id not in str(rows)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("elder0", {"elder0"}),
        ("resident", {"resident0"}),
        (lambda w: w.elders["resident0"].national_id[:10], {"elder0", "resident0"}),
        (lambda w: w.elders["resident0"].national_id, {"resident0"}),
        (lambda w: w.elders["resident0"].phone, {"resident0"}),
        ("1380000", {"elder0", "resident0"}),
        ("nobody", set()),
    ],
)
def test_search_by_name_id_or_phone_prefix(world, query, expected):
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    q = query(world) if callable(query) else query
    rows = client.get("/api/v1/elders/", {"q": q}).json()["results"]
    assert {r["id"] for r in rows} == {str(world.elders[k].public_id) for k in expected}


def test_filters_combine(world):
    client = APIClient()
    client.force_authenticate(world.users["bureau"])
    elder = world.elders["elder1"]
    elder.living_arrangement = "alone"
    elder.economic_status = "dibao"
    elder.save()
    rows = client.get(
        "/api/v1/elders/",
        {
            "living_alone": "true",
            "economic_status": "dibao",
            "street": str(world.streets[1].public_id),
            "age_band": "70-79",
        },
    ).json()
    assert [r["id"] for r in rows["results"]] == [str(elder.public_id)]


def test_bad_filter_value_names_the_field(world):
    client = APIClient()
    client.force_authenticate(world.users["bureau"])
    response = client.get("/api/v1/elders/", {"age_band": "teen"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "age_band"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王", ["name__startswith"]),
        ("138", ["phone_p3__in"]),
        ("1234", ["phone_s4__in"]),
        ("1380000", ["phone_p7__in"]),
        ("059", ["phone_p3__in"]),
        ("350206", ["national_id_p6__in"]),
        ("3502061950", ["national_id_p10__in"]),
        ("35020619500315", ["national_id_p14__in"]),
        ("35020619500315011x", ["pk__in"]),  # 14-prefix token, then the decrypted IDs compared
        ("350206195003150115", ["pk__in"]),  # whole-ID token verified against the decrypted value
        ("13800001111", ["pk__in"]),  # whole phone, verified
    ],
)
@pytest.mark.django_db
def test_search_asks_only_the_indexes_the_text_can_match(text, expected):
    from yiyang.elders.selectors import search_q

    assert [name for name, _value in search_q(text).children] == expected


@pytest.mark.parametrize("text", ["13800", "3502061", "350206195", "35020619500", "350206195003", "138000011"])
@pytest.mark.django_db
def test_search_lengths_the_indexes_cannot_answer_are_refused_with_the_supported_lengths(text):
    from yiyang.core.errors import ValidationFailed
    from yiyang.elders.selectors import search_q

    with pytest.raises(ValidationFailed) as caught:
        search_q(text)
    assert caught.value.errors[0].field == "q"
    assert caught.value.errors[0].code == "search_length"
    assert "前6、10、14位" in caught.value.errors[0].reason or "后4位" in caught.value.errors[0].reason
