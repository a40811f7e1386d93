"""A database that is locked or gone for a moment: a 503 with `Retry-After`, not a 500.

SQLite held by another writer past its busy timeout, PostgreSQL restarting or out of
connections, a network cut to the database: the request could not be served now and may
be later. The API answers with a problem (`database-unavailable`), the pages with a short
page in the three languages; both say when to try again. `DatabaseOutageMiddleware`
handles what a page's view raises, `api.py` what an API operation raises, and
`server_error` (Django's handler500) what a middleware raised before the view ran.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from onestop.problems import problem_response

logger = logging.getLogger("onestop.errors")

RETRY_AFTER_SECONDS = 5
OUTAGES = (OperationalError, InterfaceError)


def unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    logger.warning("database unavailable", extra={"path": request.path, "error": str(error)[:300]})
    if request.path.startswith("/api/"):
        response = problem_response(
            503,
            _("The service cannot reach its database just now. Try again in a moment."),
            code="database-unavailable",
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a page's database outage into a 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGES):
            return unavailable(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: a database outage raised outside a view (by the session or the
    authentication middleware) is a 503 too; anything else is the usual 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGES):
        return unavailable(request, error)
    return defaults.server_error(request)
