"""Run the whole platform on one machine: migrate, fill demo data, start the worker and the server."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from doeplein.core.demo import DEMO_LOGINS


class Command(BaseCommand):
    help = "Migrate, load demo data, then run the ASGI server and a Celery worker (with beat)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="Do not start the Celery worker.")

    def handle(self, *args, host, port, no_worker, **options):
        for folder in ("broker/queue", "broker/control", "media", "mail"):
            (Path(settings.VAR_DIR) / folder).mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("demo_data")
        # The search finds the demo data the moment the server is up, not once the worker has worked
        # through the re-index tasks that creating it queued (those then find nothing new).
        call_command("rebuild_search_index")

        worker = None
        if not no_worker:
            # A real Celery worker in its own process, with beat embedded for the periodic jobs.
            # Without REDIS_URL its broker is the file-system transport under var/broker.
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "doeplein",
                    "worker",
                    "--beat",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--schedule",
                    str(Path(settings.VAR_DIR) / "celerybeat-schedule"),
                ],
                env={**os.environ},
            )
        self.stdout.write(self.style.SUCCESS(f"\nDoeplein runs at http://{host}:{port}/  (Ctrl-C stops it)"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_LOGINS[0][2]}):")
        for role, email, _password in DEMO_LOGINS:
            self.stdout.write(f"  {role:<28} {email}")
        self.stdout.write("Back office: /admin/   API: /api/v1/docs   Health: /healthz\n")
        try:
            import uvicorn

            uvicorn.run(
                "doeplein.asgi:application", host=host, port=port, lifespan="on", log_level="info",
                ws_per_message_deflate=False,  # see docs/live-discussion.md ("Fan-out")
            )  # fmt: skip
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
