from django.urls import path

from yiyang.monitoring.web import views

urlpatterns = [
    path("monitoring/rules/", views.rules_home_page, name="monitoring-rules"),
    path("monitoring/rules/<str:public_id>/", views.district_rules_page, name="monitoring-district-rules"),
    path("monitoring/elders/<str:public_id>/profile/", views.elder_profile_page, name="monitoring-elder-profile"),
]
