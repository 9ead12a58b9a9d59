from django.contrib import admin
from django.urls import include, path

from cityloop.api import api
from cityloop.ops.health import healthz, readyz
from cityloop.ops.metrics_view import metrics
from cityloop.web.login import admin_login, staff_login

admin.site.site_header = "cityloop 12345 管理后台"
admin.site.site_title = "cityloop"

urlpatterns = [
    # For load balancers, systemd and Prometheus: no login, no personal data (ops/).
    path("healthz", healthz),
    path("readyz", readyz),
    path("metrics", metrics),
    # The two login forms, each behind the per-address lock (web/login.py), before the
    # admin's and auth's own routes.
    path("admin/login/", admin_login),
    path("accounts/login/", staff_login, name="login"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/", include("cityloop.integrations.open311.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cityloop.web.urls")),
]

handler400 = "cityloop.web.errors.bad_request"
handler403 = "cityloop.web.errors.permission_denied"
handler404 = "cityloop.web.errors.page_not_found"
handler500 = "cityloop.web.errors.server_error"
