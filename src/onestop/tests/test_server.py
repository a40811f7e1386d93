"""The web server spreads its clients' connections evenly over its workers
(onestop/operations/balanced_worker.py), so that no worker's clients queue behind more
requests than the others'."""

import http.client
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from onestop.demo.tests.test_demo import session_processes, start_onestop
from onestop.operations import balanced_worker

WORKERS, THREADS, CLIENTS = 4, 2, 14


def established_sockets(port: int) -> set[str]:
    """The inodes of the server's side of the connections open on `port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # ESTABLISHED
                inodes.add(fields[9])
    return inodes


def holders(inodes: set[str]) -> Counter:
    """How many of these sockets each process holds."""
    held: Counter = Counter()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    held[int(proc.name)] += 1
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return held


@pytest.fixture
def server(tmp_path):
    process, port = start_onestop(
        tmp_path, "serve", "--workers", str(WORKERS), "--threads", str(THREADS)
    )
    # Every worker up, and the master (the first answer needs only one worker).
    while len(session_processes(process.pid)) < WORKERS + 1:
        time.sleep(0.1)
    yield process, port
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def test_a_burst_of_clients_is_spread_evenly_over_the_workers(server):
    """Fourteen clients connect at once and keep their connections, as kiosks, boards and
    a load generator do: each of the four workers holds three or four of them, and every
    client is served on its connection. gunicorn's plain threaded worker left most of them
    on one or two workers (13, 2, 1 and none of 16 in one run)."""
    _process, port = server
    clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(CLIENTS)]
    for client in clients:
        client.connect()
    try:
        deadline = time.monotonic() + 10
        while True:
            held = holders(established_sockets(port))
            workers = {pid: n for pid, n in held.items() if pid != os.getpid()}
            if sum(workers.values()) == CLIENTS or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert sum(workers.values()) == CLIENTS, workers
        assert len(workers) == WORKERS, workers
        assert max(workers.values()) - min(workers.values()) <= 1, workers
        for round_ in range(2):  # each connection serves one request after another
            for client in clients:
                client.request("GET", "/health")
            for client in clients:
                answer = client.getresponse()
                assert answer.status == 200, round_
                answer.read()
    finally:
        for client in clients:
            client.close()


def test_a_worker_that_is_gone_leaves_no_claim_on_the_clients():
    """The table of connections is shared by the workers; a worker that died (killed, or
    replaced by gunicorn) must not keep the others waiting for it to take clients, and its
    slot goes to the next worker."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    table = balanced_worker._table
    saved = list(table)
    try:
        for index in range(len(table)):
            table[index] = 0
        table[0], table[1] = gone.pid, 0  # it held no connection when it died
        table[2], table[3] = os.getpid(), 5
        assert not balanced_worker.less_busy_worker(1, 5)
        table[4], table[5] = os.getppid(), 2  # a live process with fewer connections
        assert balanced_worker.less_busy_worker(1, 5)
        assert not balanced_worker.less_busy_worker(1, 2)
        assert balanced_worker.claim_slot(12345678) == 0
        assert table[0] == 12345678 and table[1] == 0
    finally:
        for index, value in enumerate(saved):
            table[index] = value
