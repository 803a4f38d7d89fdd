import pytest

from yiyang.accounts.access import ScopeKind, has_perm, scope_for, user_perms
from yiyang.accounts.models import User
from yiyang.accounts.permissions import Perm
from yiyang.elders.selectors import elders_in_reach

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "kind", "elders"),
    [
        ("bureau", ScopeKind.DISTRICT, {"elder0", "resident0", "elder1", "resident1"}),
        ("health_officer", ScopeKind.DISTRICT, {"elder0", "resident0", "elder1", "resident1"}),
        ("street0", ScopeKind.STREET, {"elder0", "resident0"}),
        ("centre1", ScopeKind.STREET, {"elder1", "resident1"}),
        ("station0", ScopeKind.COMMUNITY, {"elder0", "resident0"}),
        ("institution0", ScopeKind.ORGANISATION, {"resident0"}),
        ("medical1", ScopeKind.ORGANISATION, {"elder1", "resident1"}),
        ("helper0", ScopeKind.HELPER, {"elder0"}),
        ("family1", ScopeKind.FAMILY, {"elder1"}),
        ("street0_noright", ScopeKind.STREET, set()),
    ],
)
def test_each_role_sees_exactly_its_elders(world, username, kind, elders):
    user = world.users[username]
    assert scope_for(user).kind is kind
    seen = set(elders_in_reach(user=user).values_list("pk", flat=True))
    assert seen == {world.elders[k].pk for k in elders}


def test_discharged_resident_leaves_the_institutions_reach(world):
    admission = world.elders["resident0"].admissions.get()
    admission.discharged_on = admission.admitted_on
    admission.save(update_fields=["discharged_on"])
    assert not elders_in_reach(user=world.users["institution0"]).exists()


def test_misconfigured_account_has_no_scope(world):
    # A street role pointing at a community is refused rather than guessed.
    user = User.objects.create_user(username="odd", role="street_staff", area=world.communities[0][0])
    assert scope_for(user).kind is ScopeKind.NONE
    assert not elders_in_reach(user=user).exists()


def test_inactive_account_holds_no_permission(world):
    user = world.users["bureau"]
    user.is_active = False
    assert user_perms(user) == frozenset()
    assert scope_for(user).kind is ScopeKind.NONE


def test_superuser_holds_every_permission(world):
    admin = User.objects.create_superuser(username="root", password="x")
    assert has_perm(admin, Perm.AUDIT_VIEW)
    assert scope_for(admin).kind is ScopeKind.ALL
    assert elders_in_reach(user=admin).count() == 4
