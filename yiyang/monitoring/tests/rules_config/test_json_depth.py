from yiyang.monitoring.tests.support import counts
from yiyang.organisations.tests.support import page_client


def test_a_rules_document_nested_100000_deep_is_a_400_naming_the_field(world):
    client = page_client(world.users["bureau"])
    before = counts()
    response = client.post(f"/monitoring/rules/{world.district.public_id}/", {"document": "[" * 100_000, "note": "x"})
    assert response.status_code == 400
    assert "<code>document</code> JSON嵌套层数不能超过32层" in response.content.decode()
    assert counts() == before
