from django.urls import path

from yiyang.devices.api import views

urlpatterns = [
    path("devices/", views.DeviceListCreateApi.as_view(), name="api-device-list"),
    # Fixed paths before `devices/<str:public_id>/`.
    path("devices/status/", views.DeviceStatusApi.as_view(), name="api-device-status"),
    path("devices/pending/", views.PendingDeviceListApi.as_view(), name="api-pending-device-list"),
    path(
        "devices/pending/<str:public_id>/register/",
        views.PendingDeviceRegisterApi.as_view(),
        name="api-pending-device-register",
    ),
    path(
        "devices/pending/<str:public_id>/ignore/",
        views.PendingDeviceIgnoreApi.as_view(),
        name="api-pending-device-ignore",
    ),
    path("devices/dead-letters/", views.DeadLetterListApi.as_view(), name="api-dead-letter-list"),
    path("devices/push/<str:vendor>/", views.DevicePushApi.as_view(), name="api-device-push"),
    path("devices/<str:public_id>/", views.DeviceDetailApi.as_view(), name="api-device-detail"),
    path("devices/<str:public_id>/bindings/", views.DeviceBindingsApi.as_view(), name="api-device-bindings"),
    path("devices/<str:public_id>/bind/", views.DeviceBindApi.as_view(), name="api-device-bind"),
    path("devices/<str:public_id>/unbind/", views.DeviceUnbindApi.as_view(), name="api-device-unbind"),
]
