"""The WSGI application keeps the garbage collector off the objects a worker keeps for
life (onestop/wsgi.py). Each case loads it in a process of its own, as a gunicorn worker
does, since freezing is for the life of the process."""

import json
import os
import subprocess
import sys

WORKER = """
import gc, io, json, sys

import onestop.wsgi as wsgi

def request():
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/health", "SERVER_NAME": "localhost",
        "SERVER_PORT": "8000", "HTTP_HOST": "localhost", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    statuses = []
    b"".join(wsgi.application(environ, lambda status, *_: statuses.append(status)))
    return statuses[0]

seen = {"loaded": gc.get_freeze_count(), "walked when loaded": len(gc.get_objects())}
for number in (1, 2, 3, 4):
    seen[f"status {number}"] = request()
    seen[f"frozen after {number}"] = gc.get_freeze_count()
seen["walked after warm-up"] = len(gc.get_objects())
print(json.dumps(seen))
"""


def run_worker(tmp_path, freeze_after: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onestop.settings",
        "ONESTOP_DATA_DIR": str(tmp_path),
        "ONESTOP_GC_FREEZE_AFTER": freeze_after,
        "ONESTOP_LOG_LEVEL": "WARNING",
    }
    env.pop("ONESTOP_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_worker_freezes_what_it_loaded_and_again_at_the_request_set(tmp_path):
    seen = run_worker(tmp_path, "3")

    assert seen["status 1"] == seen["status 4"] == "200 OK"
    # The loaded application is out of the collector's walk, which is left with little.
    assert seen["loaded"] > 20_000
    assert seen["walked when loaded"] < seen["loaded"] / 10
    # Nothing more is frozen until the third request (frozen objects may still be freed);
    # then what the first two requests left alive: the parts loaded on first use.
    assert seen["frozen after 2"] <= seen["frozen after 1"] <= seen["loaded"]
    assert seen["frozen after 3"] > seen["frozen after 2"]
    assert seen["frozen after 4"] <= seen["frozen after 3"]
    assert seen["walked after warm-up"] < seen["frozen after 3"] / 10


def test_zero_leaves_the_collector_as_python_has_it(tmp_path):
    seen = run_worker(tmp_path, "0")

    assert seen["status 4"] == "200 OK"
    assert seen["loaded"] == seen["frozen after 4"] == 0
    assert seen["walked when loaded"] > 20_000
