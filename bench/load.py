"""Load generator: starts the real server (`onestop serve`, gunicorn) on a fresh database,
drives it with wrk and reports each endpoint next to a bare Django endpoint that writes one
row, measured in the same run (DESIGN.md section 7). Results: docs/benchmarks.md.

    .venv/bin/python bench/load.py --out /tmp/bench-sqlite.json
    .venv/bin/python bench/load.py --database-url postgresql://onestop@127.0.0.1:55461/postgres \
        --out /tmp/bench-postgres.json

With --database-url the run creates a database of its own next to the one named (and drops
it afterwards unless --keep); without it the server uses SQLite in a temporary data
directory. Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from onestop.operations.processes import web_workers

HERE = Path(__file__).resolve().parent

SCENARIOS = {
    "bare": "bare endpoint: POST /bench/bare (one row)",
    "issue": "ticket issue at one centre: POST /api/v1/offices/{office}/tickets (kiosk)",
    "city": "ticket issue across 20 centres, each with its kiosk, in turn",
    "call": "operators: call-next, start, finish (one window per connection)",
    "file": "application filing: POST /api/v1/applications (operator, oss)",
    "status": "status look-up: GET /api/v1/applications/{number} (the applicant)",
    "catalogue": "catalogue: GET /api/v1/services/passport",
}
ORDER = ["bare", "issue", "city", "call", "file", "status", "catalogue"]


# ---------------------------------------------------------------- the machine


def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    wrk_version = subprocess.run(
        ["wrk", "--version"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": wrk_version.strip(),
        "load_average": os.getloadavg(),
    }


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def onestop(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "onestop", *args],
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def fresh_database(url: str) -> tuple[str, str]:
    """A new PostgreSQL database next to the one named in the URL: (its URL, its name)."""
    import psycopg

    name = "onestop_bench_" + secrets.token_hex(4)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name)), name


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def http(base: str, method: str, path: str, body=None, token: str = "") -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"body": raw[:200].decode("utf-8", "replace")}


def wait_until_up(base: str, server: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped at start; its log:\n{log.read_text()[-3000:]}")
        try:
            if http(base, "GET", "/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"the server did not answer within {seconds} s; its log:\n{log.read_text()[-3000:]}")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("PPid:") and int(line.split()[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds spent on anything but idle and I/O wait, all cores together."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


def process_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def wait_until_idle(pids: list[int], *, most: float = 60.0) -> float:
    """Waits until the server has finished what an earlier measurement left queued (wrk
    stops sending, but the requests it already sent are still answered, and at 200
    connections that can take seconds): until its processes use less than a tenth of a
    core over half a second. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < most:
        before = process_seconds(pids)
        time.sleep(0.5)
        if process_seconds(pids) - before < 0.05:
            break
    return round(time.monotonic() - started, 1)


def database_pids(name: str) -> list[int]:
    """PostgreSQL backends serving this database (their command line names it)."""
    pids = []
    if not name:
        return pids
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if command.startswith(b"postgres:") and name.encode() in command:
                pids.append(int(entry.name))
    return pids


def children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# ---------------------------------------------------------------- wrk


def wrk(
    base: str,
    path: str,
    *,
    connections: int,
    seconds: float,
    script: str = "request.lua",
    threads: int | None = None,
    env: dict | None = None,
) -> dict:
    threads = threads or min(connections, 2)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / script),
        base + path,
    ]
    result = subprocess.run(
        command, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            figures = json.loads(line.removeprefix("BENCH_JSON "))
            break
    else:
        sys.exit(f"wrk gave no figures:\n{result.stdout}\n{result.stderr}")
    seconds_run = figures["duration_us"] / 1e6
    e = figures["errors"]
    return {
        "connections": connections,
        "threads": threads,
        "seconds": round(seconds_run, 2),
        "requests": figures["requests"],
        "rps": round(figures["requests"] / seconds_run, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p90_ms": round(figures["p90_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "max_ms": round(figures["max_us"] / 1000, 1),
        "mean_ms": round(figures["mean_us"] / 1000, 1),
        "errors": e["connect"] + e["read"] + e["write"] + e["timeout"] + e["status"],
        "error_kinds": e,
        "statuses": figures["statuses"],
        **{k: figures[k] for k in ("called", "empty", "served") if k in figures},
    }


# ---------------------------------------------------------------- the run


class Bench:
    def __init__(self, args, env: dict, base: str, setup: dict, kiosk: str, tmp: Path):
        self.args, self.env, self.base, self.setup = args, env, base, setup
        self.kiosk, self.tmp = kiosk, tmp
        self.call_tokens = {number: token for number, token in setup["call_tokens"]}
        self.operator = self.login("bench-op1")
        self.citizen = self.login(setup["citizen"])
        bodies = tmp / "applications.jsonl"
        bodies.write_text(
            "".join(
                json.dumps(
                    {
                        "service": "passport",
                        "applicant": {"iin": iin},
                        "channel": "oss",
                        "office": setup["office"],
                    }
                )
                + "\n"
                for iin in setup["people"]
            )
        )
        self.bodies = bodies
        self.targets = tmp / "city.txt"
        self.targets.write_text(
            "".join(f"/api/v1/offices/{code}/tickets {key}\n" for code, key in setup["city"])
        )
        self.tokens_file = tmp / "operators.txt"

    def login(self, username: str) -> str:
        status, body = http(
            self.base,
            "POST",
            "/api/v1/auth/token",
            {"username": username, "password": self.args.password},
        )
        if status != 200:
            sys.exit(f"cannot log in as {username}: {status} {body}")
        return body["token"]

    def check(self) -> None:
        """One request of each kind before measuring: each must answer as expected."""
        status, body = http(self.base, "POST", "/bench/bare", {"payload": "check"})
        if status != 201:
            sys.exit(
                f"POST /bench/bare answered {status}: this server does not serve the bare "
                "endpoint (the app onestop.benchmarking, installed with ONESTOP_BENCHMARK=on; "
                "see src/onestop/benchmarking/)"
            )
        office = self.setup["office"]
        expected = [
            ("POST", f"/api/v1/offices/{office}/tickets", {"service": "passport"}, self.kiosk, 201),
            ("GET", f"/api/v1/applications/{self.setup['application']}", None, self.citizen, 200),
            *(
                ("POST", f"/api/v1/offices/{code}/tickets", {"service": "passport"}, key, 201)
                for code, key in self.setup["city"]
            ),
            ("GET", "/api/v1/services/passport", None, "", 200),
        ]
        for method, path, body, token, want in expected:
            status, answer = http(self.base, method, path, body, token)
            if status != want:
                sys.exit(f"{method} {path} answered {status}, not {want}: {answer}")

    def run(self, scenario: str, connections: int, seconds: float) -> dict:
        office = self.setup["office"]
        if scenario == "bare":
            return wrk(
                self.base,
                "/bench/bare",
                connections=connections,
                seconds=seconds,
                env={"BENCH_METHOD": "POST", "BENCH_BODY": '{"payload": "bench"}'},
            )
        if scenario == "issue":
            return wrk(
                self.base,
                f"/api/v1/offices/{office}/tickets",
                connections=connections,
                seconds=seconds,
                env={
                    "BENCH_METHOD": "POST",
                    "BENCH_BODY": '{"service": "passport"}',
                    "BENCH_TOKEN": self.kiosk,
                },
            )
        if scenario == "city":
            return wrk(
                self.base,
                "/",
                connections=connections,
                seconds=seconds,
                env={
                    "BENCH_METHOD": "POST",
                    "BENCH_BODY": '{"service": "passport"}',
                    "BENCH_TARGETS": str(self.targets),
                },
            )
        if scenario == "call":
            windows = sorted(self.call_tokens)[:connections]
            self.tokens_file.write_text("".join(f"{w} {self.call_tokens[w]}\n" for w in windows))
            result = wrk(
                self.base,
                "/",
                connections=connections,
                threads=connections,
                seconds=seconds,
                script="operator.lua",
                env={
                    "BENCH_OFFICE": self.setup["call_office"],
                    "BENCH_TOKENS": str(self.tokens_file),
                },
            )
            result["served_per_s"] = round(result["served"] / result["seconds"], 1)
            return result
        if scenario == "file":
            return wrk(
                self.base,
                "/api/v1/applications",
                connections=connections,
                seconds=seconds,
                env={
                    "BENCH_METHOD": "POST",
                    "BENCH_BODIES": str(self.bodies),
                    "BENCH_TOKEN": self.operator,
                },
            )
        if scenario == "status":
            return wrk(
                self.base,
                f"/api/v1/applications/{self.setup['application']}",
                connections=connections,
                seconds=seconds,
                env={"BENCH_METHOD": "GET", "BENCH_TOKEN": self.citizen},
            )
        if scenario == "catalogue":
            return wrk(
                self.base,
                "/api/v1/services/passport",
                connections=connections,
                seconds=seconds,
                env={"BENCH_METHOD": "GET"},
            )
        raise ValueError(scenario)

    def prepare(self, scenario: str) -> None:
        """Each measurement of ticket issue starts with an empty queue, each of calling
        with the same number of visitors waiting."""
        if scenario == "issue":
            self.housekeeping("--clear-queue", self.setup["office"])
        if scenario == "city":
            self.housekeeping("--clear-queue", *(code for code, _key in self.setup["city"]))
        if scenario == "call":
            self.housekeeping(
                "--fill-queue", self.setup["call_office"], "--to", str(self.args.call_queue)
            )

    def tidy(self, scenario: str) -> None:
        """The callers' windows are freed after each run."""
        if scenario == "call":
            self.housekeeping("--free-windows", self.setup["call_office"])

    def housekeeping(self, *args: str) -> dict:
        result = subprocess.run(
            [sys.executable, str(HERE / "housekeeping.py"), *args],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(result.stdout)

    def waiting(self) -> dict:
        status, body = http(self.base, "GET", "/api/v1/offices?limit=100")
        if status != 200:
            return {}
        items = body["items"] if isinstance(body, dict) else body
        return {o["code"]: o.get("waiting") for o in items if o["code"].startswith("bench-")}


def in_server(log: Path, start: int) -> dict:
    """The time the requests logged in `log` after byte `start` took inside the server,
    as the platform's request log gives it: against wrk's figures, it tells a request
    slow in a worker from one that waited in a socket."""
    times = []
    with open(log, "rb") as lines:
        lines.seek(start)
        for line in lines:
            if b'"event": "request"' not in line:
                continue
            try:
                times.append(float(json.loads(line)["ms"]))
            except (ValueError, KeyError):
                continue  # a line another process's output cut into
    times.sort()
    if not times:
        return {}
    n = len(times)
    return {
        "requests": n,
        "p50_ms": times[n // 2],
        "p99_ms": times[min(n - 1, n * 99 // 100)],
        "max_ms": times[-1],
    }


def measure(
    bench: Bench, scenario: str, count: int, seconds: float, server, database_name: str
) -> dict:
    """One measurement, with the CPU it took: the server's workers, the database's
    backends (PostgreSQL), wrk, and whatever else ran on the machine meanwhile; and the
    requests' own time inside the server."""
    server_pids = [server.pid, *worker_pids(server.pid)]
    settled = wait_until_idle(server_pids)
    bench.prepare(scenario)
    log = bench.tmp / "server.log"
    log_start = log.stat().st_size
    backends = {pid: process_seconds([pid]) for pid in database_pids(database_name)}
    before = (machine_busy_seconds(), process_seconds(server_pids), children_seconds())
    result = bench.run(scenario, count, seconds)
    after = (machine_busy_seconds(), process_seconds(server_pids), children_seconds())
    backend_seconds = sum(
        process_seconds([pid]) - backends.get(pid, 0.0) for pid in database_pids(database_name)
    )
    result["in_server"] = in_server(log, log_start)
    result["waited_for_idle_s"] = settled
    bench.tidy(scenario)
    busy, served, driver = (b - a for a, b in zip(before, after, strict=True))
    capacity = result["seconds"] * (os.cpu_count() or 1)
    other = busy - served - driver - backend_seconds
    requests = max(result["requests"], 1)
    result["cpu"] = {
        "server_share": round(served / capacity, 2),
        "database_share": round(backend_seconds / capacity, 2),
        "load_generator_share": round(driver / capacity, 2),
        "other_share": round(max(0.0, other) / capacity, 2),
        "server_ms_per_request": round(served * 1000 / requests, 2),
        "database_ms_per_request": round(backend_seconds * 1000 / requests, 2),
    }
    return result


def verdicts(results: list[dict]) -> list[dict]:
    """The floors of DESIGN.md section 7 against this run: ticket issue at least 0.35 x the
    bare write and status look-ups 0.7 x, p99 under 100 ms at 16 connections; no errors and
    p99 under 1 s at 200."""
    by = {(r["scenario"], r["connections"]): r for r in results}
    checks = []
    for scenario, floor in (("issue", 0.35), ("city", 0.35), ("status", 0.7)):
        low = by.get((scenario, 16))
        if low:
            checks.append(
                {
                    "scenario": scenario,
                    "target": f"at 16 connections: >= {floor} x bare throughput, p99 < 100 ms",
                    "met": low["ratio"] >= floor and low["p99_ms"] < 100 and low["errors"] == 0,
                    "figures": f"{low['ratio']} x bare, p99 {low['p99_ms']} ms",
                }
            )
        high = [r for (s, c), r in by.items() if s == scenario and c >= 200]
        for r in high:
            checks.append(
                {
                    "scenario": scenario,
                    "target": f"at {r['connections']} connections: no errors, p99 < 1 s",
                    "met": r["errors"] == 0 and r["p99_ms"] < 1000,
                    "figures": f"{r['errors']} errors, p99 {r['p99_ms']} ms",
                }
            )
    return checks


def table(results: list[dict]) -> str:
    lines = [
        "| scenario | connections | requests/s | p50 ms | p99 ms | max ms | errors | x bare "
        "| server CPU ms/request | in the server: p50 / p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        name = r["scenario"]
        if name == "call":
            name += f" ({r['served_per_s']} visitors/s)"
        lines.append(
            f"| {name} | {r['connections']} | {r['rps']:.0f} | {r['p50_ms']} | {r['p99_ms']} "
            f"| {r['max_ms']} | {r['errors']} | {r['ratio']:.2f} "
            f"| {r['cpu']['server_ms_per_request']}"
            + (f" + {r['cpu']['database_ms_per_request']} db" if r["cpu"]["database_share"] else "")
            + f" | {r['in_server'].get('p50_ms', '-')} / {r['in_server'].get('p99_ms', '-')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server to create a database on")
    parser.add_argument(
        "--workers", type=int, default=web_workers(), help="gunicorn workers (as onestop serve)"
    )
    parser.add_argument("--duration", type=float, default=15, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3, help="seconds per scenario, unmeasured")
    parser.add_argument("--connections", default="16,200", help="comma-separated")
    parser.add_argument("--scenarios", default=",".join(ORDER), help="comma-separated")
    parser.add_argument(
        "--call-queue", type=int, default=1500, help="visitors waiting when calling starts"
    )
    parser.add_argument("--password", default=os.environ.get("ONESTOP_DEMO_PASSWORD", "demo12345"))
    parser.add_argument(
        "--max-other-load",
        type=float,
        default=0.15,
        help="measure again when other processes took more than this share of the CPU",
    )
    parser.add_argument("--retries", type=int, default=3, help="at most this many times")
    parser.add_argument("--out", help="write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and database")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed; on Debian or Ubuntu: apt-get install wrk")
    connections = [int(c) for c in args.connections.split(",")]
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        sys.exit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if "bare" not in scenarios:
        scenarios.insert(0, "bare")

    tmp = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ONESTOP_DATA_DIR": str(tmp / "data"),
        "ONESTOP_RATE_LIMITS": "off",
        "ONESTOP_BENCHMARK": "on",
    }
    env.pop("ONESTOP_ACCESS_LOG", None)
    env.pop("ONESTOP_DATABASE_URL", None)
    database, database_name = "sqlite", ""
    if args.database_url:
        url, database_name = fresh_database(args.database_url)
        env["ONESTOP_DATABASE_URL"] = url
        database = "postgresql"

    info = machine()
    print(f"machine: {info['cores']} cores, {info['cpu']}, {info['memory_gb']} GB", flush=True)
    print(f"database: {database}; data directory {tmp}", flush=True)
    server = None
    try:
        print("migrating and loading the demo data", flush=True)
        onestop(env, "migrate", "--verbosity", "0")
        onestop(env, "loaddemo", capture=True)
        most = max(connections)
        setup = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "setup_centre.py"),
                    "--call-windows",
                    str(most),
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        (tmp / "setup.json").write_text(json.dumps(setup))
        kiosk = onestop(env, "device", "--office", setup["office"], "--kind", "kiosk", capture=True)
        kiosk = kiosk.strip().splitlines()[-1]

        log = tmp / "server.log"
        with open(log, "w") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "onestop",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(base, server, log)
        print(f"server: gunicorn, {args.workers} workers, at {base}", flush=True)
        bench = Bench(args, env, base, setup, kiosk, tmp)
        bench.check()

        if args.warmup > 0:
            for scenario in scenarios:
                bench.prepare(scenario)
                bench.run(scenario, min(connections), args.warmup)
                bench.tidy(scenario)

        results = []
        for count in connections:
            block = []
            for scenario in [*scenarios, "bare"]:
                attempts = 0
                while True:
                    attempts += 1
                    result = measure(bench, scenario, count, args.duration, server, database_name)
                    if (
                        result["cpu"]["other_share"] <= args.max_other_load
                        or attempts > args.retries
                    ):
                        break
                    print(
                        f"  ({scenario} at {count}: other processes took "
                        f"{result['cpu']['other_share']:.0%} of the CPU; measuring again)",
                        flush=True,
                    )
                    time.sleep(10)
                result["attempts"] = attempts
                result.update(scenario=scenario, waiting_after=bench.waiting())
                block.append(result)
                print(
                    f"  {scenario:9} {count:4} connections: {result['rps']:8.1f} req/s  "
                    f"p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
                    f"errors {result['errors']}  server CPU "
                    f"{result['cpu']['server_ms_per_request']} ms/request, other load "
                    f"{result['cpu']['other_share']:.0%}",
                    flush=True,
                )
            # The yardstick: the bare endpoint before and after the others, averaged.
            first, last = block[0], block.pop()
            yardstick = (first["rps"] + last["rps"]) / 2
            first["rps_after"] = last["rps"]
            for result in block:
                result["ratio"] = round(result["rps"] / yardstick, 2) if yardstick else 0.0
            first["ratio"] = 1.0
            results.extend(block)

        workers = worker_pids(server.pid)
        memory = {str(pid): rss_mb(pid) for pid in workers}
        print()
        print(table(results))
        print()
        print(
            "bare endpoint before and after each block: "
            + ", ".join(
                f"{r['connections']}: {r['rps']} / {r['rps_after']}"
                for r in results
                if r["scenario"] == "bare"
            )
            + " req/s"
        )
        print(
            "worker resident memory after the run (MB): "
            + ", ".join(f"{mb:.0f}" for mb in memory.values())
        )
        checks = verdicts(results)
        for check in checks:
            print(
                f"  [{'met' if check['met'] else 'MISSED'}] {check['scenario']} {check['target']}: {check['figures']}"
            )
        report = {
            "machine": info,
            "database": database,
            "workers": args.workers,
            "duration": args.duration,
            "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "scenarios": {s: SCENARIOS[s] for s in scenarios},
            "results": results,
            "worker_rss_mb": memory,
            "targets": checks,
        }
        if args.out:
            Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
            print(f"results written to {args.out}")
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
            if database_name:
                drop_database(args.database_url, database_name)
        else:
            print(f"kept {tmp}" + (f" and database {database_name}" if database_name else ""))


if __name__ == "__main__":
    main()
