"""Settings of a server process that applies each synced operation slowly, so that a test
can kill it in the middle of a batch (test_dropped_connection)."""

from onestop.settings import *  # noqa: F403

MOBILE_SYNC_DELAY_MS = 150
