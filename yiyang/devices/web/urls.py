from django.urls import path

from yiyang.devices.web import views

urlpatterns = [
    path("devices/", views.device_list_page, name="device-list"),
    # Fixed paths before `devices/<str:public_id>/`.
    path("devices/new/", views.device_create_page, name="device-create"),
    path("devices/pending/", views.pending_device_list_page, name="pending-device-list"),
    path(
        "devices/pending/<str:public_id>/register/", views.pending_device_register_page, name="pending-device-register"
    ),
    path("devices/pending/<str:public_id>/ignore/", views.pending_device_ignore_page, name="pending-device-ignore"),
    path("devices/dead-letters/", views.dead_letter_list_page, name="dead-letter-list"),
    path("devices/<str:public_id>/", views.device_detail_page, name="device-detail"),
    path("devices/<str:public_id>/edit/", views.device_edit_page, name="device-edit"),
    path("devices/<str:public_id>/bind/", views.device_bind_page, name="device-bind"),
    path("devices/<str:public_id>/unbind/", views.device_unbind_page, name="device-unbind"),
]
