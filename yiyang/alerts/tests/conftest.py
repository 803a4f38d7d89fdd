import pytest

from yiyang.core.testing import World
from yiyang.elders.models import EmergencyContact, Home


@pytest.fixture
def homes(world: World) -> World:
    """elder0 and elder1 get a home with a key holder and two emergency contacts (second holds a key)."""
    for s in range(2):
        elder = world.elders[f"elder{s}"]
        home = Home.objects.create(
            address=f"第{s}街道幸福里{s + 1}号",
            community=elder.community,
            street=elder.street,
            district=elder.district,
            key_holder="邻居王阿姨",
        )
        elder.home = home
        elder.save(update_fields=["home"])
        EmergencyContact.objects.create(elder=elder, name="儿子", relation="子女", phone="13800000001", priority=1)
        EmergencyContact.objects.create(
            elder=elder, name="女儿", relation="子女", phone="13800000002", priority=2, is_key_holder=True
        )
    return world
