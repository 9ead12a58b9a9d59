from django.urls import path

from cityloop.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("track/", views.track_lookup, name="track"),
    path("track/<str:code>/", views.track_detail, name="track-detail"),
    path("appeals/<str:code>/", views.appeal_detail, name="appeal-detail"),
    path("assessment/", views.assessment, name="assessment"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data.json", views.dashboard_data, name="dashboard-data"),
    path("geo/areas.geojson", views.areas_geojson, name="areas-geojson"),
]
