from django.urls import path

from yiyang.assessments.api import views

urlpatterns = [
    path("assessment-scales/", views.ScaleListApi.as_view(), name="api-assessment-scale-list"),
    path("assessment-scales/<str:code>/", views.ScaleDetailApi.as_view(), name="api-assessment-scale-detail"),
    path("assessments/", views.AssessmentListCreateApi.as_view(), name="api-assessment-list"),
    # Fixed paths before `assessments/<str:public_id>/`, which would otherwise swallow them.
    path("assessments/score/", views.AssessmentScoreApi.as_view(), name="api-assessment-score"),
    path("assessments/due/", views.AssessmentDueApi.as_view(), name="api-assessment-due"),
    path("assessments/<str:public_id>/", views.AssessmentDetailApi.as_view(), name="api-assessment-detail"),
    path("assessments/<str:public_id>/submit/", views.AssessmentSubmitApi.as_view(), name="api-assessment-submit"),
    path("assessments/<str:public_id>/confirm/", views.AssessmentConfirmApi.as_view(), name="api-assessment-confirm"),
    path("assessments/<str:public_id>/return/", views.AssessmentReturnApi.as_view(), name="api-assessment-return"),
    path("assessments/<str:public_id>/correct/", views.AssessmentCorrectApi.as_view(), name="api-assessment-correct"),
    path("assessments/<str:public_id>/report/", views.AssessmentReportApi.as_view(), name="api-assessment-report"),
    path(
        "elders/<str:public_id>/assessment-levels/",
        views.ElderAssessmentLevelsApi.as_view(),
        name="api-elder-assessment-levels",
    ),
    path("assessment-policies/", views.PolicyVersionListCreateApi.as_view(), name="api-policy-version-list"),
]
