import pytest

from yiyang.core.testing import World
from yiyang.organisations.models import Bed


@pytest.fixture
def beds(world: World) -> dict[int, list[Bed]]:
    """Each street's institution beds by number: [0] is occupied by resident{s}, [1] and [2] are free."""
    return {
        s: list(Bed.objects.filter(organisation=world.orgs[f"institution{s}"]).order_by("number")) for s in range(2)
    }
