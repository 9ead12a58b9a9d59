from django.urls import path

from cityloop.web import views
from cityloop.web.pages import (
    appeal,
    assessment,
    board,
    citizen,
    console,
    notify,
    proactive,
    queue,
    worklist,
)

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", citizen.report, name="report"),
    path("track/", citizen.track_lookup, name="track"),
    path("track/<str:code>/", citizen.track_detail, name="track-detail"),
    path("notify/stop/<str:token>/", notify.stop, name="notify-stop"),
    path("console/", console.console, name="console"),
    path("console/caller/", console.caller, name="console-caller"),
    path("console/understand/", console.understanding, name="console-understand"),
    path("queue/", queue.queue, name="queue"),
    path("queue/<str:code>/dispatch/", queue.send, name="queue-send"),
    path("queue/<str:code>/place/", queue.place, name="queue-place"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("board/", board.board, name="board"),
    path("board/extensions/<int:request_id>/", board.decide, name="board-decide"),
    path("appeals/<str:code>/", appeal.appeal_page, name="appeal-detail"),
    path("appeals/<str:code>/<str:action>/", appeal.act, name="appeal-act"),
    path("attachments/<int:pk>/", appeal.attachment, name="attachment"),
    path("assessment/", assessment.assessment, name="assessment"),
    path("assessment/appeals/", assessment.behind, name="assessment-behind"),
    path("proactive/", proactive.proposals, name="proactive"),
    path("proactive/<int:proposal_id>/decide/", proactive.decide, name="proactive-decide"),
    path("proactive/topics/", proactive.topics, name="topics"),
    path("proactive/topics/choose/", proactive.choose, name="topic-choose"),
    path("proactive/topics/<int:topic_id>/resolve/", proactive.resolve, name="topic-resolve"),
    path("proactive/forecast/", proactive.forecast, name="forecast"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data.json", views.dashboard_data, name="dashboard-data"),
    path("geo/areas.geojson", views.areas_geojson, name="areas-geojson"),
    path("geo/place.json", views.place_name, name="place-name"),
]
