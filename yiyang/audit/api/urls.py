from django.urls import path

from yiyang.audit.api import views

urlpatterns = [path("audit-events/", views.AuditEventListApi.as_view(), name="api-audit-list")]
