from django.urls import path

from yiyang.alerts.api import views

urlpatterns = [
    path("alerts/", views.AlertListApi.as_view(), name="api-alert-list"),
    # Fixed paths before `alerts/<str:public_id>/`.
    path("alerts/sla/", views.AlertSlaApi.as_view(), name="api-alert-sla"),
    path("alerts/escalation-policy/", views.EscalationPolicyApi.as_view(), name="api-alert-policy"),
    path("alerts/<str:public_id>/", views.AlertDetailApi.as_view(), name="api-alert-detail"),
    path("alerts/<str:public_id>/timeline/", views.AlertTimelineApi.as_view(), name="api-alert-timeline"),
    path("alerts/<str:public_id>/acknowledge/", views.AlertAcknowledgeApi.as_view(), name="api-alert-acknowledge"),
    path("alerts/<str:public_id>/dispatch/", views.AlertDispatchApi.as_view(), name="api-alert-dispatch"),
    path("alerts/<str:public_id>/on-scene/", views.AlertOnSceneApi.as_view(), name="api-alert-on-scene"),
    path("alerts/<str:public_id>/close/", views.AlertCloseApi.as_view(), name="api-alert-close"),
    path("alerts/<str:public_id>/handoff/", views.AlertHandoffApi.as_view(), name="api-alert-handoff"),
]
