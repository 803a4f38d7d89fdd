from django.urls import path

from yiyang.benefits.api import policy as views

urlpatterns = [
    path("benefits/parameters/", views.ParameterListApi.as_view(), name="api-benefits-parameters"),
    path("benefits/policy-files/", views.PolicyFileListApi.as_view(), name="api-benefits-policy-files"),
    path("benefits/what-if/", views.WhatIfApi.as_view(), name="api-benefits-what-if"),
]
