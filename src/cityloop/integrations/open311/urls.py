"""/open311/v2/…: each resource with its format suffix (.xml, .json; none: XML); anything
else under /open311/ is a 404 in the specification's format, never an HTML page."""

from django.urls import re_path

from cityloop.integrations.open311 import views

_FMT = r"(?:\.(?P<fmt>[A-Za-z0-9]{1,10}))?"
_ID = r"(?P<{}>[^/]+?)"

urlpatterns = [
    re_path(rf"^(?:v2/)?discovery{_FMT}$", views.discovery),
    re_path(rf"^v2/services{_FMT}$", views.services_list),
    re_path(rf"^v2/services/{_ID.format('code')}{_FMT}$", views.service_definition),
    re_path(rf"^v2/requests{_FMT}$", views.requests),
    re_path(rf"^v2/requests/{_ID.format('code')}{_FMT}$", views.request_detail),
    re_path(rf"^v2/tokens/{_ID.format('token')}{_FMT}$", views.token),
    re_path(r"^v2/openapi\.json$", views.openapi_document, {"fmt": "json"}),
    re_path(r"^.*?(?:\.(?P<fmt>xml|json))?$", views.not_found),
]
