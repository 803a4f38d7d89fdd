from django.urls import path

from yiyang.assessments.web import views

urlpatterns = [
    path("assessments/", views.assessment_list_page, name="assessment-list"),
    # Fixed paths before `assessments/<str:public_id>/`, which would otherwise swallow them.
    path("assessments/due/", views.assessment_due_page, name="assessment-due"),
    path("assessments/policies/", views.policy_page, name="assessment-policy"),
    path("elders/<str:public_id>/assessments/new/", views.assessment_create_page, name="assessment-create"),
    path("assessments/<str:public_id>/", views.assessment_detail_page, name="assessment-detail"),
    path("assessments/<str:public_id>/edit/", views.assessment_edit_page, name="assessment-edit"),
    path("assessments/<str:public_id>/confirm/", views.assessment_confirm_page, name="assessment-confirm"),
    path("assessments/<str:public_id>/return/", views.assessment_return_page, name="assessment-return"),
    path("assessments/<str:public_id>/correct/", views.assessment_correct_page, name="assessment-correct"),
    path("assessments/<str:public_id>/report.pdf", views.assessment_report_download, name="assessment-report"),
]
