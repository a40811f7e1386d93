"""A web worker runs one request at a time, and another while the first waits for a
state registry (onestop/gate.py): a slow registry must not hold up the kiosk, the board or
anyone else served by the same worker, and a request holding the database's locks must
never let another of its process run into them."""

import io
import sys
import threading
import time

import pytest

from onestop import gate


def environ_for(path: str) -> dict:
    """A GET of `path` as gunicorn hands it to the application."""
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "localhost", "SERVER_PORT": "8000", "HTTP_HOST": "localhost",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
    }  # fmt: skip


def in_the_worker(work) -> threading.Thread:
    """`work` in a request of its own (a thread holding the gate, as OneAtATime does)."""

    def run():
        with gate.held():
            work()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_one_request_at_a_time_runs():
    """Two requests of one worker never run at once outside their waits."""
    running, most = 0, 0
    lock = threading.Lock()

    def work():
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    threads = [in_the_worker(work) for _ in range(4)]
    for thread in threads:
        thread.join()
    assert most == 1


def other_thread_gets_the_gate() -> bool:
    """Whether another thread of the process could take the gate now."""
    got: list[bool] = []

    def take():
        got.append(gate._gate.acquire(timeout=0.2))
        if got[-1]:
            gate._gate.release()

    thread = threading.Thread(target=take)
    thread.start()
    thread.join()
    return got[0]


def answer_as_the_worker_writes_it(application, environ):
    """As `GatedThreadWorker` handles a request: the gate taken before the application
    runs and let go once the answer is written. Returns whether another thread could
    have taken the gate while the answer was being written."""
    with gate.held():
        body = application(environ, lambda status, headers, *_: None)
        free_while_writing = other_thread_gets_the_gate()
        b"".join(body)
        body.close()
    return free_while_writing


@pytest.mark.django_db  # closing a response closes the thread's old connections
def test_an_answer_is_written_under_the_gate_a_file_or_a_stream_without_it():
    from django.http import FileResponse, HttpResponse, StreamingHttpResponse

    answers = {
        "/page": lambda: HttpResponse(b"page"),
        "/file": lambda: FileResponse(io.BytesIO(b"file")),
        "/stream": lambda: StreamingHttpResponse(iter([b"a", b"b"])),
    }

    def application(environ, start_response):
        response = answers[environ["PATH_INFO"]]()
        start_response(f"{response.status_code} OK", list(response.items()))
        return response

    served = gate.OneAtATime(application)
    assert not answer_as_the_worker_writes_it(served, environ_for("/page"))
    assert answer_as_the_worker_writes_it(served, environ_for("/file"))
    assert answer_as_the_worker_writes_it(served, environ_for("/stream"))
    # Everything let go after each of them.
    assert other_thread_gets_the_gate()


def test_the_gated_worker_serves_under_the_gate(monkeypatch):
    """gunicorn's threads take the gate around each request (the application's own
    `held()` then does nothing more), whether or not the connections are spread."""
    from gunicorn.workers.gthread import ThreadWorker

    from onestop.operations.balanced_worker import BalancedThreadWorker, GatedThreadWorker

    assert issubclass(BalancedThreadWorker, GatedThreadWorker)
    seen: list[bool] = []

    def gunicorns_own(self, req, conn):  # what runs the application and writes its answer
        seen.extend([gate._local.held, other_thread_gets_the_gate()])
        return True

    monkeypatch.setattr(ThreadWorker, "handle_request", gunicorns_own)
    worker = GatedThreadWorker.__new__(GatedThreadWorker)  # no arbiter: only the handling
    assert worker.handle_request(None, None) is True
    assert seen == [True, False]
    assert other_thread_gets_the_gate()
