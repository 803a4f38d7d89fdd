from django.urls import path

from yiyang.alerts.web import views

urlpatterns = [
    path("alerts/", views.alert_console_page, name="alert-console"),
    path("alerts/stream/", views.alert_stream_view, name="alert-stream"),
    path("alerts/sla/", views.alert_sla_page, name="alert-sla"),
    path("alerts/<str:public_id>/", views.alert_detail_page, name="alert-detail"),
    path("alerts/<str:public_id>/acknowledge/", views.alert_acknowledge_page, name="alert-acknowledge"),
    path("alerts/<str:public_id>/dispatch/", views.alert_dispatch_page, name="alert-dispatch"),
    path("alerts/<str:public_id>/on-scene/", views.alert_on_scene_page, name="alert-on-scene"),
    path("alerts/<str:public_id>/close/", views.alert_close_page, name="alert-close"),
]
