"""National ID, phone and notes are stored encrypted; search, uniqueness and updates go through keyed hashes."""

from datetime import date

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction

from yiyang.core import crypto
from yiyang.core.testing import national_id
from yiyang.elders.models import Elder, EmergencyContact
from yiyang.elders.selectors import ElderFilters, elder_list, search_q


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_values_are_ciphertext_in_the_database_and_plaintext_in_python(world):
    elder = world.elders["elder0"]
    Elder.objects.filter(pk=elder.pk).update(notes="高血压，青霉素过敏")
    stored_id = raw("elders_elder", "national_id", elder.pk)
    assert national_id(11) not in stored_id and "350206" not in stored_id
    assert crypto.decrypt(stored_id, "elders_elder.national_id") == national_id(11)
    assert "1380000" not in raw("elders_elder", "phone", elder.pk)
    assert "高血压" not in raw("elders_elder", "notes", elder.pk)
    fresh = Elder.objects.get(pk=elder.pk)
    assert (fresh.national_id, fresh.phone, fresh.notes) == (national_id(11), "13800000011", "高血压，青霉素过敏")


def test_contact_phone_is_encrypted(world):
    contact = EmergencyContact.objects.create(
        elder=world.elders["elder0"], name="李四", relation="儿子", phone="13900001111"
    )
    assert "1390000" not in raw("elders_emergencycontact", "phone", contact.pk)
    assert EmergencyContact.objects.get(pk=contact.pk).phone == "13900001111"


def test_a_ciphertext_moved_to_another_column_or_row_kind_does_not_decrypt(world):
    elder = world.elders["elder0"]
    stored_phone = raw("elders_elder", "phone", elder.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE elders_elder SET notes = %s WHERE id = %s", [stored_phone, elder.pk])
    with pytest.raises(crypto.CryptoError):
        Elder.objects.get(pk=elder.pk)


@pytest.mark.parametrize(
    "query",
    ["350206", "3502061950", "35020619500315", "350206195003150", national_id(11), "138", "1380000", "0011"],
)
def test_each_supported_search_finds_the_elder(world, query):
    found = set(elder_list(user=world.users["bureau"], filters=ElderFilters(q=query)).values_list("pk", flat=True))
    assert world.elders["elder0"].pk in found


def test_whole_id_and_phone_searches_find_exactly_one(world):
    bureau = world.users["bureau"]
    assert list(elder_list(user=bureau, filters=ElderFilters(q=national_id(11)))) == [world.elders["elder0"]]
    assert list(elder_list(user=bureau, filters=ElderFilters(q="13800000011"))) == [world.elders["elder0"]]
    assert list(elder_list(user=bureau, filters=ElderFilters(q="13800009999"))) == []


def test_a_hash_collision_never_shows_a_wrong_record_for_a_whole_id(world):
    elder = world.elders["elder0"]
    other = world.elders["elder1"]
    # Simulate a collision: give `other` the whole-ID token of elder0's ID.
    Elder.objects.filter(pk=elder.pk).update(national_id_hash=None)
    token = Elder._meta.get_field("national_id_hash").token_for(national_id(11))
    Elder.objects.filter(pk=other.pk).update(national_id_hash=token)
    assert not Elder.objects.filter(search_q(national_id(11))).exists()


def test_the_same_id_cannot_be_stored_twice(world):
    elder = world.elders["elder0"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Elder.objects.create(
            name="重复",
            national_id=national_id(11),
            birth_date=date(1950, 3, 15),
            sex="M",
            community=elder.community,
            street=elder.street,
            district=elder.district,
        )


def test_save_with_update_fields_recomputes_the_blind_indexes(world):
    elder = world.elders["elder0"]
    elder.phone = "13912345678"
    elder.save(update_fields=["phone"])
    assert Elder.objects.filter(search_q("1391234")).get() == elder
    assert not Elder.objects.filter(search_q("1380000")).filter(pk=elder.pk).exists()
    assert Elder.objects.filter(phone="13912345678").get() == elder


def test_the_encrypted_field_refuses_comparisons_sql_cannot_make():
    with pytest.raises(FieldError):
        list(Elder.objects.filter(phone__startswith="138"))


def test_the_list_page_masks_the_decrypted_values(client, world):
    client.force_login(world.users["bureau"])
    body = client.get("/elders/").content.decode()
    assert "3502**********" in body
    assert national_id(11) not in body


def test_the_search_box_says_which_lengths_work_and_the_page_notes_a_refused_one(client, world):
    client.force_login(world.users["bureau"])
    body = client.get("/elders/", {"q": "3502061"}).content.decode()
    assert "身份证号请输入前6、10、14位或完整18位" in body
    response = client.get("/api/v1/elders/", {"q": "3502061"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"


def test_sql_updates_of_an_indexed_source_are_refused_so_tokens_never_go_stale(world):
    elder = world.elders["elder0"]
    with pytest.raises(TypeError):
        Elder.objects.filter(pk=elder.pk).update(phone="13911112222")
    elder.national_id = "350206195003150030"
    with pytest.raises(TypeError):
        Elder.objects.bulk_update([elder], ["national_id"])
    assert Elder.objects.filter(pk=elder.pk).update(notes="ok") == 1
