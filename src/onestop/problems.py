"""Errors as RFC 9457 problem details, in the caller's language.

Domain code raises `DomainError` (or a subclass) naming the field and a stable code; the API
turns it, and every error the framework raises itself (validation, malformed JSON, 404,
405, 500), into `application/problem+json`. No stack trace reaches the caller.
"""

import json
import logging

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

logger = logging.getLogger("onestop.errors")

PROBLEM_TYPE_BASE = "https://onestop.example/problems/"

TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Authentication required"),
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    409: gettext_lazy("Conflict"),
    413: gettext_lazy("Too large"),
    415: gettext_lazy("Unsupported media type"),
    422: gettext_lazy("Invalid input"),
    429: gettext_lazy("Too many requests"),
    500: gettext_lazy("Internal error"),
    503: gettext_lazy("Unavailable"),
}

SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


class FieldErrorOut(Schema):
    field: str
    code: str
    message: str


class ProblemOut(Schema):
    """The body of every error answer (`application/problem+json`), as documented."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut] | None = None


class DomainError(Exception):
    """A refusal the caller can act on. `errors` name fields: [{"field", "code", "message"}]."""

    status = 400

    def __init__(self, detail, *, status: int | None = None, errors=None, code: str | None = None):
        super().__init__(str(detail))
        self.detail = detail
        self.status = status or self.status
        self.errors = list(errors or [])
        self.code = code


class InvalidField(DomainError):
    status = 422

    def __init__(self, field: str, code: str, message):
        super().__init__(message, errors=[{"field": field, "code": code, "message": message}])


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


def explain(error: DomainError) -> str:
    """A refusal in one sentence for a page: the detail and, when they add something, the
    messages about its fields."""
    details = [str(error.detail)]
    details += [str(e["message"]) for e in error.errors if str(e["message"]) not in details]
    return " ".join(details)


def problem_body(status: int, detail=None, errors=None, code: str | None = None) -> dict:
    body = {
        "type": PROBLEM_TYPE_BASE + (code or SLUGS.get(status, "error")),
        "title": str(TITLES.get(status, _("Error"))),
        "status": status,
        "detail": str(detail) if detail else str(TITLES.get(status, _("Error"))),
    }
    if errors:
        body["errors"] = [
            {"field": e["field"], "code": e["code"], "message": str(e["message"])} for e in errors
        ]
    return body


def problem_response(
    status: int, detail=None, errors=None, code: str | None = None
) -> HttpResponse:
    body = problem_body(status, detail, errors, code)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/problem+json",
    )


# Messages for pydantic's error types, so that a bad field is explained in the caller's language.
VALIDATION_MESSAGES = {
    "missing": ("required", gettext_lazy("This field is required.")),
    "string_too_long": ("too_long", gettext_lazy("This value is too long.")),
    "string_too_short": ("too_short", gettext_lazy("This value is too short.")),
    "int_parsing": ("invalid_number", gettext_lazy("Enter a whole number.")),
    "int_type": ("invalid_number", gettext_lazy("Enter a whole number.")),
    "greater_than_equal": ("too_small", gettext_lazy("This number is too small.")),
    "less_than_equal": ("too_large", gettext_lazy("This number is too large.")),
    "greater_than": ("too_small", gettext_lazy("This number is too small.")),
    "less_than": ("too_large", gettext_lazy("This number is too large.")),
    "bool_parsing": ("invalid_boolean", gettext_lazy("Enter true or false.")),
    "date_from_datetime_parsing": ("invalid_date", gettext_lazy("Enter a date as YYYY-MM-DD.")),
    "date_parsing": ("invalid_date", gettext_lazy("Enter a date as YYYY-MM-DD.")),
    "datetime_parsing": ("invalid_datetime", gettext_lazy("Enter a date and time in ISO 8601.")),
    "datetime_from_date_parsing": (
        "invalid_datetime",
        gettext_lazy("Enter a date and time in ISO 8601."),
    ),
    "string_type": ("invalid_type", gettext_lazy("Enter text.")),
    "literal_error": ("invalid_choice", gettext_lazy("This value is not one of the allowed ones.")),
    "enum": ("invalid_choice", gettext_lazy("This value is not one of the allowed ones.")),
    "extra_forbidden": ("unknown_field", gettext_lazy("This field is not expected.")),
    "model_attributes_type": ("invalid_type", gettext_lazy("Enter an object.")),
    "dict_type": ("invalid_type", gettext_lazy("Enter an object.")),
    "decimal_parsing": ("invalid_number", gettext_lazy("Enter a number.")),
}

_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def validation_errors(
    errors: list[dict], body_params: frozenset[str] | set[str] = frozenset()
) -> list[dict]:
    """Turns framework validation errors into [{"field", "code", "message"}] naming the field."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
        if len(loc) > 1 and loc[0] in body_params:
            loc = loc[1:]
        field = ".".join(loc) or "body"
        kind = error.get("type", "")
        if kind.startswith("value_error") and "ctx" in error:
            code, message = error["ctx"].get("code", "invalid"), error.get("msg", "")
            message = message.removeprefix("Value error, ")
        elif kind in VALIDATION_MESSAGES:
            code, message = VALIDATION_MESSAGES[kind]
        else:
            code, message = kind or "invalid", _("This value is not valid.")
        result.append({"field": field, "code": code, "message": str(message)})
    return result


class ApiProblemMiddleware:
    """Makes sure every API error is problem details, also the ones no view produced
    (an unknown path, a method the path does not allow)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and (
            "\x00" in request.path or "\ufffd" in request.path
        ):
            # No code, number or id holds a NUL or undecodable bytes: nothing is there.
            return problem_response(404, _("There is nothing at this address."))
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and response.get("Content-Type", "").split(";")[0] != "application/problem+json"
        ):
            status = response.status_code
            detail = None
            if status == 405:
                detail = _("This address does not accept %(method)s.") % {"method": request.method}
            elif status == 404:
                detail = _("There is nothing at this address.")
            replacement = problem_response(status, detail)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            logger.exception("unhandled error", extra={"path": request.path})
            return problem_response(500, _("Something went wrong on our side. Try again later."))
        return None
