"""Fill the platform with demo data: the core's people, then whatever plugins add. Idempotent."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from doeplein.plugins import demo_data_steps


class Command(BaseCommand):
    help = "Fill the platform with demo people and profiles, and whatever plugins add. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, no_progress=False, **options):
        steps = demo_data_steps()
        total = sum(step.steps for step in steps)
        with tqdm(
            total=total, desc="Demo data", unit="step", disable=no_progress, file=self.stderr._out
        ) as bar:
            for step in steps:
                bar.set_postfix_str(step.key)
                step.run(bar.update)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(steps)} sources)."))
