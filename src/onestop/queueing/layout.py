"""What a centre looks like, kept in each process for a few seconds: the centre, its
opening hours, the services it offers, its windows and the services each serves, the
services by code and the kiosks' tokens.

Issuing a ticket needs all of these and none of them changes during a day, so reading
them from the database for every ticket would be most of the cost of a ticket
(docs/benchmarks.md). A change saved in this process clears the copy at once (the
signals below); other processes see it within `ONESTOP_LAYOUT_CACHE_SECONDS` (30 by
default), revoked kiosk tokens included.
"""

import datetime
import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from onestop.catalog.models import Category, Service
from onestop.offices.models import Office, OpeningHours, RouteStop, Window
from onestop.queueing.models import Device, WindowState


@dataclass(frozen=True)
class WindowLayout:
    window: Window
    services: frozenset[int]

    @property
    def id(self) -> int:
        return self.window.pk


@dataclass(frozen=True)
class Layout:
    office: Office
    offered: frozenset[int]
    hours: dict[int, tuple[tuple[datetime.time, datetime.time], ...]]
    windows: dict[int, WindowLayout]

    def windows_for(self, service_id: int) -> frozenset[int]:
        """The ids of the active windows that serve this service."""
        return frozenset(w.id for w in self.windows.values() if service_id in w.services)

    def served_with(self, service_id: int) -> frozenset[int]:
        """The services whose visitors wait for the same windows as this one's."""
        served: set[int] = set()
        for window in self.windows.values():
            if service_id in window.services:
                served |= window.services
        return frozenset(served)


_lock = threading.Lock()
_entries: dict[tuple, tuple[float, object]] = {}


def _cached(key: tuple, build):
    return remembered(key, build, settings.LAYOUT_CACHE_SECONDS)


def clear(**_kwargs) -> None:
    with _lock:
        _entries.clear()


def forget(key: tuple) -> None:
    with _lock:
        _entries.pop(key, None)


def remembered(key: tuple, build, seconds: float):
    """Any other value worth keeping a while: built by `build` at most every `seconds`.
    None (no such centre, service or token) is not kept: callers can make up any number
    of codes and tokens, and each would stay in memory."""
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = build()
    if value is not None:
        with _lock:
            _entries[key] = (now + seconds, value)
    return value


def _build_layout(code: str) -> Layout | None:
    office = Office.objects.filter(code=code, is_active=True).first()
    if office is None:
        return None
    hours: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for weekday, opens, closes in OpeningHours.objects.filter(office=office).values_list(
        "weekday", "opens", "closes"
    ):
        hours.setdefault(weekday, []).append((opens, closes))
    services: dict[int, set[int]] = {}
    for window_id, service_id in Window.services.through.objects.filter(
        window__office=office
    ).values_list("window_id", "service_id"):
        services.setdefault(window_id, set()).add(service_id)
    windows = {
        window.number: WindowLayout(window, frozenset(services.get(window.pk, ())))
        for window in Window.objects.filter(office=office, is_active=True)
    }
    return Layout(
        office=office,
        offered=frozenset(office.services.values_list("pk", flat=True)),
        hours={day: tuple(spans) for day, spans in hours.items()},
        windows=windows,
    )


def layout(code: str) -> Layout | None:
    """The centre with this code as it was at most LAYOUT_CACHE_SECONDS ago; None when
    there is no active centre with this code."""
    return _cached(("layout", code), lambda: _build_layout(code))


def service(code: str) -> Service | None:
    """An active service with its category, by code."""
    return _cached(
        ("service", code),
        lambda: (
            Service.objects.select_related("category").filter(code=code, is_active=True).first()
        ),
    )


def device(token: str) -> Device | None:
    """The kiosk, board or rating screen holding this token, unless revoked."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return _cached(
        ("device", digest),
        lambda: (
            Device.objects.select_related("office", "window")
            .filter(key_hash=digest, revoked_at__isnull=True)
            .first()
        ),
    )


def _forget_open_windows() -> None:
    with _lock:
        for key in [key for key in _entries if key[0] == "open"]:
            del _entries[key]


def _window_state_saved(**_kwargs) -> None:
    """A window opened or closed: this process reads the centres' open windows again (one
    small read a centre, at its next ticket), now for what this transaction reads next,
    and after the commit for what another thread of this process read meanwhile."""
    _forget_open_windows()
    transaction.on_commit(_forget_open_windows)


def connect_signals() -> None:
    post_save.connect(_window_state_saved, sender=WindowState, dispatch_uid="layout-window-state")
    for model in (Office, OpeningHours, Window, RouteStop, Service, Category, Device):
        post_save.connect(clear, sender=model, dispatch_uid=f"layout-save-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"layout-delete-{model.__name__}")
    for through in (Office.services.through, Window.services.through):
        m2m_changed.connect(clear, sender=through, dispatch_uid=f"layout-m2m-{through.__name__}")
