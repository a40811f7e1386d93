"""Structured logs: one JSON object a line, carrying the request id and the actor."""

import contextvars
import json
import logging
import time
import uuid

from django.conf import settings
from django.utils.functional import SimpleLazyObject, empty

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
actor_var: contextvars.ContextVar[str] = contextvars.ContextVar("actor", default="-")

access_log = logging.getLogger("onestop.access")


class RequestIdMiddleware:
    """Gives every request an id (kept from X-Request-ID when a proxy set one) and logs it once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming[:64] if incoming.isascii() and incoming else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        actor = _actor(request)
        response["X-Request-ID"] = request.id
        if access_log.isEnabledFor(logging.INFO) and not request.path.startswith("/static/"):
            access_log.info(
                "request",
                extra={
                    "request_id": request.id,
                    "actor": actor,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response


def _actor(request) -> str:
    """Who made the request, without looking up a session the request did not send."""
    user = getattr(request, "user", None)
    if user is None:
        return "-"
    if (
        isinstance(user, SimpleLazyObject)
        and user._wrapped is empty
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    ):
        return "-"
    return user.get_username() if user.is_authenticated else "-"


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "actor"):
            record.actor = actor_var.get()
        return True


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)
