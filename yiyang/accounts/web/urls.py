from django.contrib.auth import views as auth_views
from django.urls import path

from yiyang.accounts.web import signin_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", signin_views.SignInView.as_view(), name="login"),
    path("login/verify/", signin_views.second_factor_page, name="login-second-factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", signin_views.password_change_page, name="password-change"),
    path("staff/", views.staff_list_page, name="staff-list"),
    path("staff/<str:public_id>/", views.staff_detail_page, name="staff-detail"),
    path("staff/<str:public_id>/profile/", views.staff_profile_page, name="staff-profile"),
    path("staff/<str:public_id>/unlock/", signin_views.staff_unlock_page, name="staff-unlock"),
    path(
        "staff/<str:public_id>/second-factor/reset/",
        signin_views.staff_second_factor_reset_page,
        name="staff-second-factor-reset",
    ),
]
