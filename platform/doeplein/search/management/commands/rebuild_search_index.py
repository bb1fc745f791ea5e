"""Rebuild the site search's documents and index from every search source, with a progress bar."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from doeplein.plugins import search_sources
from doeplein.search.indexing import rebuild, total_rows


class Command(BaseCommand):
    help = "Rebuild the search index from every plugin's search sources (or the sources named)."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", help="Source keys to rebuild (default: all).")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI).")
        parser.add_argument(
            "--row-by-row",
            action="store_true",
            help="Read every row through its source's documents() even where the source gives a bulk "
            "query (slow; to compare both paths).",
        )

    def handle(self, *args, sources=(), batch_size=500, no_progress=False, row_by_row=False, **options):
        known = {s.key for s in search_sources()}
        unknown = sorted(set(sources) - known)
        if unknown:
            self.stderr.write(f"Unknown sources: {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
            return
        started = time.perf_counter()
        total = total_rows(sources or None)
        with tqdm(
            total=total, unit="rows", disable=no_progress, file=self.stderr, desc="search index"
        ) as bar:
            written = rebuild(
                progress=bar.update, batch_size=batch_size, sources=sources or None, bulk=not row_by_row
            )
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{key}: {n}" for key, n in written.items())
        self.stdout.write(
            f"Indexed {sum(written.values())} documents from {total} rows in {seconds:.1f} s ({summary})."
        )
