from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from yiyang.core.security import REDOC_CONTENT_SECURITY_POLICY, with_content_security_policy

api_v1 = [
    path("", include("yiyang.accounts.api.urls")),
    path("", include("yiyang.areas.api.urls")),
    path("", include("yiyang.organisations.api.urls")),
    path("", include("yiyang.elders.api.urls")),
    path("", include("yiyang.audit.api.urls")),
    path("", include("yiyang.assessments.api.urls")),
    path("", include("yiyang.devices.api.urls")),
    path("", include("yiyang.monitoring.api.urls")),
    path("", include("yiyang.alerts.api.urls")),
    path("", include("yiyang.benefits.api.urls")),
    path("", include("yiyang.benefits.api.policy_urls")),
    path("", include("yiyang.benefits.api.payroll_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file (?script): the CSP refuses inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        with_content_security_policy(REDOC_CONTENT_SECURITY_POLICY)(SpectacularRedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
    path("", include("yiyang.accounts.web.urls")),
    path("", include("yiyang.areas.web.urls")),
    path("", include("yiyang.organisations.web.urls")),
    path("", include("yiyang.elders.web.urls")),
    path("", include("yiyang.audit.web.urls")),
    path("", include("yiyang.assessments.web.urls")),
    path("", include("yiyang.devices.web.urls")),
    path("", include("yiyang.monitoring.web.urls")),
    path("", include("yiyang.alerts.web.urls")),
    path("", include("yiyang.benefits.web.urls")),
    path("", include("yiyang.benefits.web.policy_urls")),
    path("", include("yiyang.benefits.web.payroll_urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Every HTML error in the site layout, JSON under /api/ (yiyang.core.web).
handler400 = "yiyang.core.web.bad_request"
handler403 = "yiyang.core.web.permission_denied"
handler404 = "yiyang.core.web.page_not_found"
handler500 = "yiyang.core.web.server_error"
