from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from onestop.api import api
from onestop.health import health

# A database outage raised before a view runs is a 503, not a 500 (onestop/outages.py).
handler500 = "onestop.outages.server_error"

urlpatterns = [
    path("health", health, name="health"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("applications/", include("onestop.cases.urls")),
    path("queue/", include("onestop.queueing.urls")),
    path("appointments/", include("onestop.appointments.urls")),
    path("mobile/", include("onestop.mobile.urls")),
    path("", include("onestop.portal.urls")),
]

if apps.is_installed("onestop.benchmarking"):
    urlpatterns.insert(1, path("bench/", include("onestop.benchmarking.urls")))
