from django.contrib.auth import views as auth_views
from django.urls import path

from yiyang.accounts.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", views.staff_list_page, name="staff-list"),
    path("staff/<str:public_id>/", views.staff_detail_page, name="staff-detail"),
]
