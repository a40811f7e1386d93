"""Answers to status look-ups (GET /api/v1/applications/{number}) kept by each process.

People ask after their application far more often than it changes, and building the
answer (the application, its history, documents, steps and parts, through the query
compiler, and the schema) costs ten times the look-up itself. So each process keeps the
answers it built, under the application's revision, which triggers in the database move
on with every change to the application or anything shown with it (migration
cases/0003): a look-up reads who may see the application and its revision in one small
query and answers from what it kept when the revision is the same. What the revision
does not follow, the names of services, agencies and steps and of the applicant, shows
within ONESTOP_LAYOUT_CACHE_SECONDS, as the queue's layout does.

Who may see the application is asked at every look-up, never kept; staff reads are
logged at every look-up (cases/api.py).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings

# Answers kept by each process: about 2 KB each.
KEPT = 2000

_kept: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
_lock = threading.Lock()


def kept(key: Hashable, build: Callable[[], bytes]) -> bytes:
    """The answer kept under `key`, or `build()`'s, kept for next time."""
    now = time.monotonic()
    with _lock:
        found = _kept.get(key)
        if found is not None and now - found[0] < settings.LAYOUT_CACHE_SECONDS:
            _kept.move_to_end(key)
            return found[1]
    body = build()
    with _lock:
        _kept[key] = (now, body)
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return body


def forget() -> None:
    """Forgets every answer (tests)."""
    with _lock:
        _kept.clear()
