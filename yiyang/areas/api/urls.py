from django.urls import path

from yiyang.areas.api import views

urlpatterns = [
    path("areas/", views.AreaListApi.as_view(), name="api-area-list"),
    path("areas/tree/", views.AreaTreeApi.as_view(), name="api-area-tree"),
    path("areas/<str:public_id>/", views.AreaDetailApi.as_view(), name="api-area-detail"),
]
