import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from onestop.demo.services import load_demo, screen_link
from onestop.operations.processes import gunicorn_command, worker_command
from onestop.simulation import simulator_command


class Command(BaseCommand):
    help = (
        "Migrates, loads demo data and runs the web server and the task worker; Ctrl-C stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument(
            "--no-simulate", action="store_true", help="do not run the visitor simulator"
        )

    def handle(self, *args, host, port, workers, no_simulate, **options):
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo()
        call_command("collectstatic", interactive=False, verbosity=0)
        base = f"http://{host}:{port}"
        children = [
            subprocess.Popen(gunicorn_command(host=host, port=port, workers=workers)),
            subprocess.Popen(worker_command()),
        ]
        essential = list(children)  # the demo stops when one of these does, not the simulator
        if not no_simulate:
            children.append(subprocess.Popen(simulator_command(base_url=base)))
        self.stdout.write(self.style.SUCCESS(f"\nonestop is running at {base}/"))
        self.stdout.write(
            f"  catalogue  {base}/services/\n"
            f"  kiosk      {screen_link(base, 'astana-esil', 'kiosk', None)}\n"
            f"  board      {base}/queue/board/astana-esil/?speech=1\n"
            f"  window     {base}/queue/window/  (log in as operator1 or operator2)\n"
            f"  rating     {screen_link(base, 'astana-esil', 'rating', 1)}\n"
            f"  booking    {base}/appointments/\n"
            f"  API        {base}/api/v1/docs\n"
            f"  admin      {base}/admin/\n"
            f"  health     {base}/health\n"
            "  (the screens' tokens are this installation's own; `onestop demodevices` lists all)\n\n"
            f"  {counts['services']} services, {counts['centres']} centres; "
            f"every demo account uses the password {settings.DEMO_PASSWORD}:\n"
            "  consultant1, operator1..operator4, manager1, reviewer1..reviewer3, head1, mobile1,\n"
            "  analyst1, agent1, admin, auditor1; citizens log in with an IIN from `onestop demopeople`.\n"
            + (
                ""
                if no_simulate
                else "\n  Simulated visitors take tickets at astana-esil's kiosk; operator3 and\n"
                "  operator4 serve them (--no-simulate leaves the centre quiet).\n"
            )
            + "\nPress Ctrl-C to stop.\n"
        )
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in essential):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c for c in essential if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            sys.exit(1)
        self.stdout.write("stopped")
