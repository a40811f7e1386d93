"""The open windows an estimate counts: read again after a change in this process at once,
and after a change made elsewhere (another process, which sends this one no signal)
within `OPEN_WINDOWS_SECONDS`."""

import time

import pytest

from onestop.people.models import Role
from onestop.queueing import services
from onestop.queueing.models import WindowState
from onestop.tests import factories

pytestmark = pytest.mark.django_db


def test_a_window_opened_here_counts_at_once():
    centre = factories.centre(services=["passport"], windows=2)
    assert services.open_windows(centre.pk) == frozenset()
    operator = factories.staff(Role.OPERATOR, office=centre, window=1)
    services.set_window_state(
        actor=operator, office_code=centre.code, window_number=1, state="open"
    )
    assert services.open_windows(centre.pk) == {factories.window(centre, 1).pk}


def test_a_window_opened_elsewhere_counts_within_the_memory(monkeypatch):
    centre = factories.centre(services=["passport"], windows=2)
    operator = factories.staff(Role.OPERATOR, office=centre, window=1)
    services.set_window_state(
        actor=operator, office_code=centre.code, window_number=1, state="open"
    )
    assert services.open_windows(centre.pk) == {factories.window(centre, 1).pk}
    # Another process opens window 2 and closes window 1: no signal reaches this one.
    WindowState.objects.filter(window__office=centre).update(state=WindowState.State.CLOSED)
    WindowState.objects.bulk_create(
        [
            WindowState(
                window=factories.window(centre, 2),
                state=WindowState.State.OPEN,
                since=operator.date_joined,
            )
        ]
    )
    assert services.open_windows(centre.pk) == {factories.window(centre, 1).pk}
    later = time.monotonic() + services.OPEN_WINDOWS_SECONDS + 1
    monkeypatch.setattr(services.layout.time, "monotonic", lambda: later)
    assert services.open_windows(centre.pk) == {factories.window(centre, 2).pk}
