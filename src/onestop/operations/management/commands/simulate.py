import random
import re
import signal
import sys
import threading
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from onestop.demo.services import demo_device_token
from onestop.simulation.visitors import Api, Operator, Settings, Simulator


def _operator(name: str) -> Operator:
    """operatorK works at window K (the demo's rule); "name@N" names the window."""
    username, _at, window = name.partition("@")
    if not window:
        digits = re.search(r"(\d+)$", username)
        if digits is None:
            raise CommandError(f"say at which window {username} works: {username}@N")
        window = digits.group(1)
    return Operator(username=username, window=int(window))


class Command(BaseCommand):
    help = (
        "Synthetic visitors against a running instance: kiosk tickets, operators calling, "
        "serving and filing applications, ratings. A line a minute; Ctrl-C stops it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--office", default="astana-esil")
        parser.add_argument(
            "--rate", type=float, default=0.35, help="visitors per simulated minute"
        )
        parser.add_argument(
            "--duration", type=float, default=0, help="real seconds to run (0: until stopped)"
        )
        parser.add_argument(
            "--speed", type=float, default=1.0, help="simulated minutes per real minute"
        )
        parser.add_argument(
            "--operators",
            default="operator1,operator2,operator3,operator4",
            help="comma-separated usernames; name@N for one who works at window N",
        )
        parser.add_argument("--password", default=None, help="default: the demo password")
        parser.add_argument("--kiosk-token", default=None, help="default: the demo kiosk's")
        parser.add_argument(
            "--people", type=int, default=300, help="IINs taken from the demo population"
        )
        parser.add_argument("--applications", type=float, default=0.3, help="share of visits")
        parser.add_argument("--ratings", type=float, default=0.4, help="share of visits")
        parser.add_argument("--report-every", type=float, default=60, help="real seconds")
        parser.add_argument("--wait", type=float, default=60, help="seconds to wait for the server")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **o):
        if o["rate"] <= 0 or o["speed"] <= 0:
            raise CommandError("--rate and --speed must be positive")
        office = o["office"]
        operators = [_operator(n.strip()) for n in o["operators"].split(",") if n.strip()]
        people = self.people(o["people"])
        try:
            api = Api(o["base_url"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        simulator = Simulator(
            api,
            Settings(
                office=office,
                rate=o["rate"],
                speed=o["speed"],
                application_share=o["applications"],
                rating_share=o["ratings"],
                report_every=o["report_every"],
            ),
            operators,
            kiosk_token=o["kiosk_token"] or demo_device_token("kiosk", office),
            rating_tokens={
                op.window: demo_device_token("rating", office, op.window) for op in operators
            },
            people=people,
            out=self.stdout,
            rng=random.Random(o["seed"]),
        )

        stop = threading.Event()

        def on_signal(signum, frame):
            if stop.is_set():  # a second Ctrl-C: leave at once
                sys.exit(1)
            stop.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            if not simulator.wait_for_server(o["wait"], stop):
                if stop.is_set():
                    return
                raise CommandError(f"no answer from {o['base_url']}/health")
            if not simulator.log_in(o["password"] or settings.DEMO_PASSWORD):
                raise CommandError("no operator could log in")
            if not simulator.load_services():
                raise CommandError(f"no service to simulate at {office}")
            self.stdout.write(
                f"simulating {office} at {o['base_url']}: {o['rate']:g} visitors a simulated "
                f"minute, speed x{o['speed']:g}, operators at windows "
                + ", ".join(str(op.window) for op in simulator.operators)
                + f", {len(simulator.services)} services, {len(people)} people"
            )
            counts = simulator.run(stop, duration=o["duration"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(
            f"stopped: {counts.issued} tickets, {counts.served} served, "
            f"{counts.applications} applications"
        )

    def people(self, count: int) -> list[str]:
        """IINs of the demo population, read as `onestop demopeople` prints them; none when
        this database has no population (visitors then come without one)."""
        if count <= 0:
            return []
        out = StringIO()
        try:
            call_command("demopeople", count=count, stdout=out)
        except Exception:  # no database here: the simulator still runs, without IINs
            return []
        return [line.strip() for line in out.getvalue().splitlines() if line.strip()]
