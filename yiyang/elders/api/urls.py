from django.urls import path

from yiyang.elders.api import views

urlpatterns = [
    path("elders/", views.ElderListCreateApi.as_view(), name="api-elder-list"),
    # Fixed paths before `elders/<str:public_id>/`, which would otherwise swallow them.
    path("elders/import/", views.ElderImportApi.as_view(), name="api-elder-import"),
    path("elders/import/template/", views.ElderImportTemplateApi.as_view(), name="api-elder-import-template"),
    path("elders/export/", views.ElderExportApi.as_view(), name="api-elder-export"),
    path("elders/<str:public_id>/", views.ElderDetailApi.as_view(), name="api-elder-detail"),
    path("elders/<str:public_id>/contacts/", views.ElderContactListCreateApi.as_view(), name="api-elder-contacts"),
    path(
        "elders/<str:public_id>/contacts/<str:contact_id>/",
        views.ElderContactDeleteApi.as_view(),
        name="api-elder-contact-delete",
    ),
    path(
        "elders/<str:public_id>/fact-changes/",
        views.ElderFactChangeListCreateApi.as_view(),
        name="api-elder-fact-changes",
    ),
    path("homes/", views.HomeListApi.as_view(), name="api-home-list"),
    path("homes/<str:public_id>/", views.HomeDetailApi.as_view(), name="api-home-detail"),
]
