from django.urls import path

from yiyang.organisations.api import views

urlpatterns = [
    path("organisations/", views.OrganisationListCreateApi.as_view(), name="api-organisation-list"),
    path("organisations/<str:public_id>/", views.OrganisationDetailApi.as_view(), name="api-organisation-detail"),
    path(
        "organisations/<str:public_id>/beds/",
        views.OrganisationBedListCreateApi.as_view(),
        name="api-organisation-beds",
    ),
    path("beds/<str:public_id>/state/", views.BedStateApi.as_view(), name="api-bed-state"),
    path("admissions/", views.AdmissionListCreateApi.as_view(), name="api-admission-list"),
    path(
        "admissions/<str:public_id>/discharge/",
        views.AdmissionDischargeApi.as_view(),
        name="api-admission-discharge",
    ),
    path("occupancy/", views.OccupancyApi.as_view(), name="api-occupancy"),
]
