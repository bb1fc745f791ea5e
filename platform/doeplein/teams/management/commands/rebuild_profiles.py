"""manage.py rebuild_profiles: rebuild every activity profile and the interaction graph."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from doeplein.teams.profiles import build_graph, build_profiles, suggestible_ids


class Command(BaseCommand):
    help = "Rebuild activity profiles (expert finder) and the interaction graph (team suggestions)."

    def handle(self, *args, **options):
        with tqdm(
            total=len(suggestible_ids()), desc="profiles", unit="person", disable=options["verbosity"] == 0
        ) as bar:
            built = build_profiles(progress=bar.update)
        edges = build_graph()
        self.stdout.write(f"{built} profiles, {edges} interaction pairs.")
