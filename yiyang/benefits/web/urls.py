from django.urls import path

from yiyang.benefits.web import import_views, views

urlpatterns = [
    path("benefits/applications/", views.application_list_page, name="benefit-application-list"),
    # Fixed paths before `applications/<str:public_id>/`, which would otherwise swallow them.
    path("benefits/applications/import/", import_views.application_import_page, name="benefit-application-import"),
    path(
        "benefits/applications/import/template/",
        import_views.application_import_template,
        name="benefit-application-import-template",
    ),
    path("benefits/applications/new/", views.application_create_page, name="benefit-application-create"),
    path("benefits/applications/<str:public_id>/", views.application_detail_page, name="benefit-application-detail"),
    path(
        "benefits/applications/<str:public_id>/review/",
        views.application_review_page,
        name="benefit-application-review",
    ),
    path(
        "benefits/applications/<str:public_id>/decide/",
        views.application_decide_page,
        name="benefit-application-decide",
    ),
    path(
        "benefits/applications/<str:public_id>/withdraw/",
        views.application_withdraw_page,
        name="benefit-application-withdraw",
    ),
    path(
        "benefits/applications/<str:public_id>/attachments/",
        views.attachment_upload_page,
        name="benefit-attachment-upload",
    ),
    path(
        "benefits/applications/<str:public_id>/attachments/<str:attachment_id>/",
        views.attachment_download_page,
        name="benefit-attachment-download",
    ),
    path("benefits/entitlements/", views.entitlement_list_page, name="benefit-entitlement-list"),
    path("benefits/entitlements/<str:public_id>/", views.entitlement_detail_page, name="benefit-entitlement-detail"),
    path(
        "benefits/entitlements/<str:public_id>/end/",
        views.entitlement_end_page,
        name="benefit-entitlement-end",
    ),
]
