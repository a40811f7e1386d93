"""Concurrency in tests: callers in threads of one process, each on its own database
connections, as requests in several workers would be."""

import threading
from collections.abc import Callable

from django.db import connections


def at_once(work: Callable[[int], object], times: int) -> list[Exception]:
    """Runs `work(0)` to `work(times - 1)`, each in its own thread, all released at the
    same moment; returns what they raised."""
    errors: list[Exception] = []
    barrier = threading.Barrier(times)

    def run(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
