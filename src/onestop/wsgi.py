"""The WSGI application gunicorn serves, with the garbage collector kept off the objects
that live as long as the process.

A collection of the oldest generation walks every object the process holds: in a worker
that has served a few hundred requests, some 126,000 objects (modules, classes, URL
patterns, translations, the caches its first requests filled). That took 55-60 ms in one
process and 60-440 ms in a worker under load, three or four times in half a minute,
while none of the worker's threads could run (docs/benchmarks.md). `gc.freeze()` moves
every object alive into a generation the collector never walks.

Each worker freezes once its application is loaded, after a full collection, and again
before its `GC_FREEZE_AFTER_REQUESTS`-th request (ONESTOP_GC_FREEZE_AFTER), when the
caches its first requests build are in place; that second time only the young
generations are collected first, as the collector does many times a second anyway,
rather than a full collection in the middle of serving. A frozen object is still freed
when nothing refers to it; only a reference cycle among frozen objects stays, and since
freezing happens twice per process that is bounded. 0 leaves the collector as Python
has it.
"""

import gc
import itertools
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")


def freeze(generation: int = 2) -> None:
    """Collects the garbage up to `generation`, then puts every object still alive out
    of the collector's walk."""
    gc.collect(generation)
    gc.freeze()


class FrozenAfterWarmup:
    """The application, frozen when loaded and again before its `after`-th request."""

    def __init__(self, application, after: int):
        self.application, self.after = application, after
        self.requests = itertools.count(1)
        if after > 0:
            freeze()

    def __call__(self, environ, start_response):
        if next(self.requests) == self.after:
            freeze(generation=1)
        return self.application(environ, start_response)


application = get_wsgi_application()
application = FrozenAfterWarmup(application, settings.GC_FREEZE_AFTER_REQUESTS)
