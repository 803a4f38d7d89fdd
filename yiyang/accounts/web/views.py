from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiyang.elders.selectors import elder_overview
from yiyang.organisations.selectors import occupancy_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the signed-in account is responsible for, in numbers."""
    return render(
        request,
        "accounts/home.html",
        {"elders": elder_overview(user=request.user), "occupancy": occupancy_summary(user=request.user)},
    )
