from django.urls import path

from yiyang.monitoring.api import views

urlpatterns = [
    path(
        "monitoring/districts/<str:public_id>/rules/",
        views.DistrictRulesApi.as_view(),
        name="api-monitoring-district-rules",
    ),
    path(
        "monitoring/districts/<str:public_id>/rules/versions/",
        views.DistrictRuleVersionsApi.as_view(),
        name="api-monitoring-district-rule-versions",
    ),
    path(
        "monitoring/elders/<str:public_id>/profile/",
        views.ElderProfileApi.as_view(),
        name="api-monitoring-elder-profile",
    ),
]
