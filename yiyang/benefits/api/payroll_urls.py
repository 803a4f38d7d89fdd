from django.urls import path

from yiyang.benefits.api import payroll as views

urlpatterns = [
    path("benefits/payroll/runs/", views.PayrollRunListApi.as_view(), name="api-benefits-payroll-runs"),
    path(
        "benefits/payroll/runs/<str:public_id>/",
        views.PayrollRunDetailApi.as_view(),
        name="api-benefits-payroll-run",
    ),
    path(
        "benefits/payroll/runs/<str:public_id>/lines/",
        views.PayrollRunLinesApi.as_view(),
        name="api-benefits-payroll-lines",
    ),
    path(
        "benefits/payroll/runs/<str:public_id>/lock/",
        views.PayrollRunLockApi.as_view(),
        name="api-benefits-payroll-lock",
    ),
    path(
        "benefits/payroll/runs/<str:public_id>/workbook/",
        views.PayrollRunWorkbookApi.as_view(),
        name="api-benefits-payroll-workbook",
    ),
    path(
        "benefits/payroll/runs/<str:public_id>/bank-file/",
        views.PayrollRunPaymentFileApi.as_view(),
        name="api-benefits-payroll-bank-file",
    ),
    path("benefits/budgets/", views.BudgetListApi.as_view(), name="api-benefits-budgets"),
    path("benefits/ledger/", views.LedgerApi.as_view(), name="api-benefits-ledger"),
]
