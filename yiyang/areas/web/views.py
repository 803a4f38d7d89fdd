from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiyang.accounts.access import has_perm, missing_perm_message
from yiyang.accounts.permissions import Perm
from yiyang.areas.selectors import area_tree
from yiyang.elders.selectors import active_elder_counts_by_community


@login_required
def area_tree_page(request: HttpRequest) -> HttpResponse:
    """The district → street → community tree in reach, with the number of elders in each."""
    if not has_perm(request.user, Perm.AREAS_VIEW):
        raise PermissionDenied(missing_perm_message(Perm.AREAS_VIEW))
    counts = active_elder_counts_by_community(user=request.user)

    def total(node: dict) -> int:
        own = counts.get(node["area"].pk, 0)
        node["elders"] = own + sum(total(child) for child in node["children"])
        return node["elders"]

    tree = area_tree(user=request.user)
    for root in tree:
        total(root)
    return render(request, "areas/tree.html", {"tree": tree})
