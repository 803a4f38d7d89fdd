from django.urls import path

from yiyang.elders.web import views

urlpatterns = [
    path("elders/", views.elder_list_page, name="elder-list"),
    path("elders/new/", views.elder_create_page, name="elder-create"),
    path("elders/export/", views.elder_export_download, name="elder-export"),
    path("elders/import/", views.elder_import_page, name="elder-import"),
    path("elders/import/template/", views.elder_import_template_download, name="elder-import-template"),
    path("elders/<str:public_id>/", views.elder_detail_page, name="elder-detail"),
    path("elders/<str:public_id>/edit/", views.elder_edit_page, name="elder-edit"),
    path("elders/<str:public_id>/facts/", views.elder_fact_change_page, name="elder-fact-change"),
]
