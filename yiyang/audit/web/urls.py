from django.urls import path

from yiyang.audit.web import views

urlpatterns = [
    path("audit/", views.audit_list_page, name="audit-list"),
    path("audit/export/", views.audit_export_download, name="audit-export"),
]
