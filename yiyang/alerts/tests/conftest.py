import pytest

from yiyang.core.testing import World, add_homes


@pytest.fixture
def homes(world: World) -> World:
    """elder0 and elder1 get a home with a key holder and two emergency contacts (second holds a key)."""
    return add_homes(world)
