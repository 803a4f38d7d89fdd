import pytest

from yiyang.audit.models import AuditAction, AuditEvent
from yiyang.audit.services import LIST_VIEW_MAX_IDS, audit_list_view

pytestmark = pytest.mark.django_db


def test_a_list_view_is_one_event_naming_the_ids_shown_in_order(world):
    event = audit_list_view(
        actor=world.users["street0"], entity_type="elder", ids=["b", "a", 7], district=world.district
    )

    stored = AuditEvent.objects.get()
    assert stored.pk == event.pk
    assert (stored.action, stored.entity_type, stored.entity_id) == (AuditAction.VIEW, "elder", "")
    assert stored.record_ids == ["b", "a", "7"]
    assert stored.actor_label == "street0"
    assert stored.district_id == world.district.pk
    assert stored.summary == "查看列表（3条）"


def test_a_list_view_keeps_at_most_the_cap_and_counts_the_rest(world):
    ids = [str(i) for i in range(LIST_VIEW_MAX_IDS + 20)]
    event = audit_list_view(actor=world.users["street0"], entity_type="home", ids=ids, summary="住户列表")

    assert event.record_ids == ids[:LIST_VIEW_MAX_IDS]
    assert event.summary == "住户列表；另有20条未逐条记录"
