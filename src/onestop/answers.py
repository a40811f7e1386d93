"""Answers to the API's most frequent reads, kept by each process as the bytes sent.

- A status look-up (GET /api/v1/applications/{number}). People ask after their
  application far more often than it changes, and building the answer (the application,
  its history, documents, steps and parts, through the query compiler, and the schema)
  cost ten times the look-up itself. The answer is kept under the application's revision,
  which triggers in the database move on with every change to the application or anything
  shown with it (migration cases/0003): a look-up reads who may see the application and
  its revision in one small query and answers from what was kept when the revision is the
  same. Who may see it is asked at every look-up, never kept; staff reads are logged at
  every look-up (cases/api.py).
- A service of the register (GET /api/v1/services/{code}), in each language: a change
  saved in this process forgets every kept answer at once (catalog/api.py).

Whatever the key does not follow (the names of services, agencies and steps and of the
applicant in a status answer; a change to the register saved in another process) shows
within ONESTOP_LAYOUT_CACHE_SECONDS, as the queue's layout does.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.http import HttpResponse
from ninja import Schema

from onestop.renderers import Utf8JSONRenderer

RENDERER = Utf8JSONRenderer()

# What each process keeps at most, the least recently used forgotten first: a status
# answer is 1-3 KB, so some two thousand of them.
KEPT_BYTES = 4 * 1024 * 1024

_kept: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
_size = 0
_lock = threading.Lock()


def kept(key: Hashable, build: Callable[[], bytes]) -> bytes:
    """The answer kept under `key`, or `build()`'s, kept for next time."""
    global _size
    now = time.monotonic()
    with _lock:
        found = _kept.get(key)
        if found is not None and now - found[0] < settings.LAYOUT_CACHE_SECONDS:
            _kept.move_to_end(key)
            return found[1]
    body = build()
    with _lock:
        old = _kept.pop(key, None)
        _size -= len(old[1]) if old else 0
        _kept[key] = (now, body)
        _size += len(body)
        while _size > KEPT_BYTES:
            _size -= len(_kept.popitem(last=False)[1][1])
    return body


def json_answer(
    request, key: Hashable, schema: type[Schema], make: Callable[[], dict]
) -> HttpResponse:
    """The JSON answer kept under `key`, else `make()`'s, checked against `schema` and
    written as the API writes every answer."""

    def build() -> bytes:
        data = schema.model_validate(make()).model_dump()
        return RENDERER.render(request, data, response_status=200).encode()

    return HttpResponse(
        kept(key, build), content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}"
    )


def forget(**_signal) -> None:
    """Forgets every answer (a change to the register; tests)."""
    global _size
    with _lock:
        _kept.clear()
        _size = 0
