"""The due list searches by the elder's name and filters by reason, keeping both when paging."""

import pytest

from yiyang.assessments.tests.support import confirmed, days_ago, page_client

pytestmark = pytest.mark.django_db


def due_rows(world, query: str) -> int:
    html = page_client(world.users["street0"]).get(f"/assessments/due/{query}").content.decode()
    return html.count('data-testid="due-row"')


def test_the_due_list_searches_by_name_and_filters_by_reason(world):
    confirmed(world, assessed_on=days_ago(400))
    confirmed(world, elder="resident0", assessed_on=days_ago(400))
    assert due_rows(world, "") == 2
    assert due_rows(world, "?q=resident") == 1
    assert due_rows(world, "?reason=lapsed") == 2
    assert due_rows(world, "?reason=returned") == 0
    assert due_rows(world, "?reason=nonsense") == 2  # an unknown reason is ignored
