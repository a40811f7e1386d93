"""Structured logs: one JSON object a line, carrying the request id and the actor."""

import contextvars
import json
import logging
import time
import uuid

from django.conf import settings
from django.core.signals import request_finished

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
actor_var: contextvars.ContextVar[str] = contextvars.ContextVar("actor", default="-")
ANONYMOUS = "anonymous"  # a request whose caller is not (yet) known

access_log = logging.getLogger("onestop.access")


class RequestIdMiddleware:
    """Gives every request an id (kept from X-Request-ID when a proxy set one) and logs it once.
    Its log lines name the actor, `anonymous` until the caller is known. Both stay set until
    Django has finished the request, since it logs a failed request's line after the
    middleware; then a server thread's next request starts with neither."""

    def __init__(self, get_response):
        self.get_response = get_response
        request_finished.connect(forget_request, dispatch_uid="onestop.observability")

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming[:64] if incoming.isascii() and incoming else uuid.uuid4().hex
        request_id_var.set(request.id)
        actor_var.set(ANONYMOUS)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        if access_log.isEnabledFor(logging.INFO) and not request.path.startswith("/static/"):
            access_log.info(
                "request",
                extra={
                    "request_id": request.id,
                    "actor": actor_var.get(),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response


def forget_request(**kwargs) -> None:
    """Clears the request id and the actor once the response is sent (request_finished)."""
    request_id_var.set("-")
    actor_var.set("-")


def set_actor(caller) -> None:
    """Names who calls on every log line of this request: a username, or `device:<id>` for
    a kiosk, board or rating screen. Called where the caller is authenticated."""
    if caller is None:
        return
    name = getattr(caller, "get_username", None)
    actor_var.set(name() if name is not None else f"device:{caller.pk}")


class SessionActorMiddleware:
    """Names the logged-in user of a page request (after Django's AuthenticationMiddleware),
    without looking up a session the request did not send."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            set_actor(request.user)
        return self.get_response(request)


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
