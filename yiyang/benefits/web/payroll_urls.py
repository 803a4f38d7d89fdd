from django.urls import path

from yiyang.benefits.web import payroll_views as views

urlpatterns = [
    path("benefits/payroll/", views.payroll_list_page, name="benefits-payroll"),
    path("benefits/payroll/<str:public_id>/", views.payroll_run_page, name="benefits-payroll-run"),
    path("benefits/payroll/<str:public_id>/lock/", views.payroll_lock_page, name="benefits-payroll-lock"),
    path(
        "benefits/payroll/<str:public_id>/workbook/",
        views.payroll_workbook_download,
        name="benefits-payroll-workbook",
    ),
    path(
        "benefits/payroll/<str:public_id>/bank-file/",
        views.payroll_bank_file_download,
        name="benefits-payroll-bank-file",
    ),
    path("benefits/budget/", views.budget_page, name="benefits-budget"),
]
