from django.urls import path

from yiyang.accounts.api import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("auth/token/", views.TokenApi.as_view(), name="api-token"),
    path("auth/locks/", views.LockedAccountListApi.as_view(), name="api-locked-accounts"),
    path("users/", views.StaffListCreateApi.as_view(), name="api-user-list"),
    path("users/<str:public_id>/", views.StaffDetailApi.as_view(), name="api-user-detail"),
    path("users/<str:public_id>/unlock/", views.StaffUnlockApi.as_view(), name="api-user-unlock"),
    path(
        "users/<str:public_id>/second-factor/reset/",
        views.StaffSecondFactorResetApi.as_view(),
        name="api-user-second-factor-reset",
    ),
    path("users/<str:public_id>/permissions/", views.StaffPermissionsApi.as_view(), name="api-user-permissions"),
]
