"""The JSON API under /api/v1: token auth, language negotiation, problem details."""

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from onestop import outages
from onestop.openapi import OnestopAPI
from onestop.problems import DomainError, problem_response, validation_errors
from onestop.renderers import Utf8JSONRenderer
from onestop.validation import InputParser

api = OnestopAPI(
    renderer=Utf8JSONRenderer(),
    parser=InputParser(),
    title="onestop API",
    version="1",
    description=(
        "Public services through a single window: the register of services, centres, "
        "queue, applications. Errors are RFC 9457 problem details. Send `?lang=kk|ru|en` "
        "or `Accept-Language` for names and messages in that language."
    ),
    urls_namespace="api",
    auth=None,
)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = problem_response(exc.status, exc.detail, exc.errors, exc.code)
    if retry_after := getattr(exc, "retry_after", None):
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = validation_errors(exc.errors, {"payload", "body", "data"})
    return problem_response(422, _("Some fields are not valid."), errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    response = problem_response(401, _("Log in first: send a bearer token."))
    response["WWW-Authenticate"] = 'Bearer realm="onestop"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):
        # The parser refused what no field may hold (a NUL, a lone surrogate), naming it.
        return on_domain_error(request, exc.__cause__)
    if exc.status_code == 400:
        return problem_response(
            400, _("The request body is not valid JSON."), code="malformed-json"
        )
    return problem_response(exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return problem_response(413, _("The request is too large."), code="too-large")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return problem_response(404, _("There is nothing at this address."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request, exc):
    """A database locked or gone for a moment: 503 with Retry-After (onestop/outages.py)."""
    return outages.unavailable(request, exc)


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    import logging

    logging.getLogger("onestop.errors").exception("unhandled API error")
    return problem_response(500, _("Something went wrong on our side. Try again later."))


from onestop.appointments.api import router as appointments_router  # noqa: E402
from onestop.audit.api import router as audit_router  # noqa: E402
from onestop.cases.api import router as cases_router  # noqa: E402
from onestop.catalog.api import router as catalog_router  # noqa: E402
from onestop.mobile.api import router as mobile_router  # noqa: E402
from onestop.offices.api import router as offices_router  # noqa: E402
from onestop.people.api import router as people_router  # noqa: E402
from onestop.queueing.api import router as queueing_router  # noqa: E402
from onestop.signatures.api import router as signatures_router  # noqa: E402

# Django tries the paths in this order: the queue's, called by every kiosk, board and
# window many times a minute, come first (a ticket's path was the 22nd of 49 to be tried).
api.add_router("", queueing_router)
api.add_router("", people_router)
api.add_router("", catalog_router)
api.add_router("", offices_router)
api.add_router("", cases_router)
api.add_router("", signatures_router)
api.add_router("", appointments_router)
api.add_router("", mobile_router)
api.add_router("", audit_router)
