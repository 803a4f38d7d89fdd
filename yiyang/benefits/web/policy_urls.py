from django.urls import path

from yiyang.benefits.web import policy_views as views

urlpatterns = [
    path("benefits/policy/", views.policy_page, name="benefits-policy"),
    path("benefits/policy/files/", views.policy_files_page, name="benefits-policy-files"),
    path(
        "benefits/policy/files/<str:public_id>/download/",
        views.policy_file_download,
        name="benefits-policy-file-download",
    ),
    path(
        "benefits/policy/template/<str:scheme>/",
        views.policy_template_download,
        name="benefits-policy-template",
    ),
    path("benefits/policy/what-if/", views.what_if_page, name="benefits-policy-what-if"),
]
