from django.urls import path

from yiyang.organisations.web import views

urlpatterns = [
    path("organisations/", views.organisation_list_page, name="organisation-list"),
    # Fixed paths before `organisations/<str:public_id>/`, which would otherwise swallow them.
    path("organisations/export/", views.organisation_export_download, name="organisation-export"),
    path("organisations/new/", views.organisation_create_page, name="organisation-create"),
    path("organisations/<str:public_id>/", views.organisation_detail_page, name="organisation-detail"),
    path("organisations/<str:public_id>/edit/", views.organisation_edit_page, name="organisation-edit"),
    path("organisations/<str:public_id>/beds/", views.bed_create_page, name="organisation-bed-create"),
    path("organisations/<str:public_id>/admit/", views.admit_page, name="organisation-admit"),
    path("beds/<str:public_id>/state/", views.bed_state_page, name="bed-state"),
    path("admissions/<str:public_id>/discharge/", views.discharge_page, name="admission-discharge"),
    path("occupancy/", views.occupancy_page, name="occupancy"),
]
