from django.urls import path

from yiyang.areas.web import views

urlpatterns = [path("areas/", views.area_tree_page, name="area-tree")]
