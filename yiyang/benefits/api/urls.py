from django.urls import path

from yiyang.benefits.api import import_views, views

urlpatterns = [
    path("benefits/applications/", views.ApplicationListCreateApi.as_view(), name="api-benefit-application-list"),
    path(
        "benefits/applications/import/",
        import_views.ApplicationImportApi.as_view(),
        name="api-benefit-application-import",
    ),
    path(
        "benefits/applications/import/template/",
        import_views.ApplicationImportTemplateApi.as_view(),
        name="api-benefit-application-import-template",
    ),
    path(
        "benefits/applications/<str:public_id>/",
        views.ApplicationDetailApi.as_view(),
        name="api-benefit-application-detail",
    ),
    path(
        "benefits/applications/<str:public_id>/review/",
        views.ApplicationReviewApi.as_view(),
        name="api-benefit-application-review",
    ),
    path(
        "benefits/applications/<str:public_id>/decide/",
        views.ApplicationDecideApi.as_view(),
        name="api-benefit-application-decide",
    ),
    path(
        "benefits/applications/<str:public_id>/withdraw/",
        views.ApplicationWithdrawApi.as_view(),
        name="api-benefit-application-withdraw",
    ),
    path(
        "benefits/applications/<str:public_id>/attachments/",
        views.AttachmentUploadApi.as_view(),
        name="api-benefit-attachment-upload",
    ),
    path(
        "benefits/applications/<str:public_id>/attachments/<str:attachment_id>/",
        views.AttachmentDownloadApi.as_view(),
        name="api-benefit-attachment-download",
    ),
    path("benefits/entitlements/", views.EntitlementListApi.as_view(), name="api-benefit-entitlement-list"),
    path(
        "benefits/entitlements/<str:public_id>/",
        views.EntitlementDetailApi.as_view(),
        name="api-benefit-entitlement-detail",
    ),
    path(
        "benefits/entitlements/<str:public_id>/end/",
        views.EntitlementEndApi.as_view(),
        name="api-benefit-entitlement-end",
    ),
]
