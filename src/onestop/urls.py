from django.contrib import admin
from django.urls import include, path

from onestop.api import api
from onestop.health import health
from onestop.operations.views import bare_write

urlpatterns = [
    path("health", health, name="health"),
    path("bench/bare", bare_write, name="bench-bare"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("applications/", include("onestop.cases.urls")),
    path("queue/", include("onestop.queueing.urls")),
    path("appointments/", include("onestop.queueing.booking_urls")),
    path("mobile/", include("onestop.mobile.urls")),
    path("", include("onestop.portal.urls")),
]
