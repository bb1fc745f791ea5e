"""Benchmark: expert finder quality and team-suggestion quality and speed on a synthetic platform.

Everything is measured in the same run on the same seeded platform (see ``synthetic.py``):

* Expert finder (``doeplein.teams.ranking``): MRR, NDCG@10 and P@5 (ranx) on held-out questions for
  the blend of the candidate and document models, each model alone, and two baselines: a random
  holder of the asked skill and its most active holder (both are told the skill, which the models
  are not).
* Team suggestions (``doeplein.teams.algorithms``): coverage, size, diameter, sum of distances, Steiner
  (MST) cost and time per request for every algorithm, and for the reference: EnhancedSteiner built on
  networkx's Steiner-tree approximation (``networkx.algorithms.approximation.steiner_tree``, networkx
  >= 3.6 whose default method honours weights) over the same skill-augmented graph. Steiner cost is
  measured the same way for all (MST over the team's shortest-path distances).

Run:  .venv/bin/python bench/teams/bench_teams.py --people 1000 10000
      timeout 3600 .venv/bin/python bench/teams/bench_teams.py --people 100000 --tasks 10 --questions 100
"""

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(Path(__file__).resolve().parent)]

from synthetic import SPLIT, generate, questions, skill_map, team_tasks  # noqa: E402

from doeplein.teams.algorithms import ALGORITHMS, Network, Task, Team, measure, suggest_teams  # noqa: E402
from doeplein.teams.ranking import ExpertIndex  # noqa: E402


def expert_finder(platform, n_questions, seed):
    from ranx import Qrels, Run, evaluate

    before = platform.before()
    texts = [platform.doc_text[i] for i in before]
    authors = [[int(platform.doc_author[i])] for i in before]
    recency = np.exp(-(SPLIT - platform.doc_time[before]) / 0.4)
    profile_parts = [
        [" ".join(sorted(f"vaardigheid{s:05d}" for s in platform.declared[i]))] for i in range(platform.n)
    ]
    for i in before:
        profile_parts[int(platform.doc_author[i])].append(platform.doc_text[i])
    profiles = [" ".join(parts) for parts in profile_parts]
    started = time.perf_counter()
    index = ExpertIndex(profiles, texts, authors, recency)
    build = time.perf_counter() - started

    qs = questions(platform, n_questions, seed=seed)
    qrels = Qrels({f"q{i}": {f"p{p}": g for p, g in rel.items()} for i, (_, _, rel) in enumerate(qs)})
    activity = np.bincount(platform.doc_author[before], minlength=platform.n)
    rng = np.random.default_rng(seed)
    runs = {name: {} for name in ("blend", "candidate", "document", "random holder", "most active holder")}
    times = []
    for i, (text, skill, _) in enumerate(qs):
        for name, blend in (("blend", None), ("candidate", 1.0), ("document", 0.0)):
            t0 = time.perf_counter()
            hits = index.search(text, k=100, blend=blend)
            if name == "blend":
                times.append(time.perf_counter() - t0)
            runs[name][f"q{i}"] = {f"p{h.candidate}": h.score for h in hits} or {"none": 0.0}
        holders = np.array([p for p in range(platform.n) if skill in platform.declared[p]])
        if len(holders):
            shuffled = rng.permutation(holders)[:100]
            runs["random holder"][f"q{i}"] = {f"p{p}": 100.0 - r for r, p in enumerate(shuffled)}
            active = holders[np.argsort(-activity[holders], kind="stable")][:100]
            runs["most active holder"][f"q{i}"] = {f"p{p}": 100.0 - r for r, p in enumerate(active)}
        else:
            runs["random holder"][f"q{i}"] = {"none": 0.0}
            runs["most active holder"][f"q{i}"] = {"none": 0.0}
    print(
        f"\n### Expert finder, {platform.n:,} people, {len(texts):,} documents, {len(qs)} held-out questions"
    )
    print(f"index build {build:.1f} s; search median {statistics.median(times) * 1000:.1f} ms\n")
    print("| model | MRR | NDCG@10 | P@5 |\n| --- | --- | --- | --- |")
    for name, run in runs.items():
        scores = evaluate(qrels, Run(run), ["mrr", "ndcg@10", "precision@5"])
        print(f"| {name} | {scores['mrr']:.3f} | {scores['ndcg@10']:.3f} | {scores['precision@5']:.3f} |")


def networkx_reference(net):
    import networkx as nx

    aug = net.augmented(None, None).tocoo()
    g = nx.Graph()
    g.add_weighted_edges_from(
        (int(u), int(v), float(w)) for u, v, w in zip(aug.row, aug.col, aug.data, strict=True) if u < v
    )
    return g


def reference_team(net, nxg, skills):
    from networkx.algorithms.approximation import steiner_tree

    terminals = [net.n + net.skill_ids[s] for s in skills if s in net.skill_ids]
    t0 = time.perf_counter()
    tree = steiner_tree(nxg, terminals, weight="weight") if len(terminals) > 1 else None
    seconds = time.perf_counter() - t0
    if tree is None:
        people = [net.holders[net.skill_ids[s]][0] for s in skills if s in net.skill_ids][:1]
    else:
        people = [int(v) for v in tree.nodes if v < net.n]
    from doeplein.teams.algorithms import Member

    team = Team("networkx", [Member(p, [], []) for p in people], [], [], 0.0)
    covered = {s for p in people for s in net.node_skills[p]} & set(skills)
    team.coverage = len(covered) / len(skills) if skills else 1.0
    measure(net, team)
    return team, seconds


def teams(platform, n_tasks, seed, reference=True, algorithms=ALGORITHMS, full_request=True):
    skills = skill_map(platform)
    t0 = time.perf_counter()
    net = Network(platform.graph, skills)
    prepare = time.perf_counter() - t0
    tasks = team_tasks(platform, n_tasks, seed=seed)
    rows = {name: [] for name in algorithms}
    if reference:
        t0 = time.perf_counter()
        nxg = networkx_reference(net)
        nx_build = time.perf_counter() - t0
        rows["networkx (reference)"] = []
    full = []
    for task_skills in tasks:
        task = Task(skills=tuple(task_skills), max_teams=1)
        for name in algorithms:
            t0 = time.perf_counter()
            result = suggest_teams(net, None, task, algorithms=(name,), measured=False)
            seconds = time.perf_counter() - t0
            team = result.teams[0] if result.teams else None
            if team is not None:
                measure(net, team)
            rows[name].append((team, seconds))
        if full_request:
            t0 = time.perf_counter()
            suggest_teams(net, None, Task(skills=tuple(task_skills)))
            full.append(time.perf_counter() - t0)
        if reference:
            rows["networkx (reference)"].append(reference_team(net, nxg, list(task_skills)))

    print(
        f"\n### Team suggestions, {platform.n:,} people, {platform.graph.nnz // 2:,} edges, {len(tasks)} tasks"
    )
    print(
        f"Network prepared in {prepare:.2f} s"
        + (f"; networkx graph built in {nx_build:.1f} s" if reference else "")
    )
    if full:
        print(
            f"Full request (all four algorithms, up to three teams) median {statistics.median(full) * 1000:.1f} ms\n"
        )
    print("Time per request: the search alone (teams are then measured the same way for every row).\n")
    print(
        "| algorithm | coverage | size | diameter | sum of distances | Steiner cost | time/request (median) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")

    def med(values):
        values = [v for v in values if math.isfinite(v)]
        return statistics.median(values) if values else math.nan

    for name, results in rows.items():
        found = [t for t, _ in results if t is not None]
        print(
            f"| {name} | {statistics.mean(t.coverage for t in found) * 100:.1f}% | {med([t.size for t in found]):.1f} "
            f"| {med([t.diameter for t in found]):.2f} | {med([t.sum_distances for t in found]):.2f} "
            f"| {med([t.steiner_cost for t in found]):.2f} | {statistics.median(s for _, s in results) * 1000:.1f} ms |"
        )
    if reference:
        ours = rows["steiner"]
        ref = rows["networkx (reference)"]
        ratio = statistics.median(r[1] for r in ref) / statistics.median(o[1] for o in ours)
        total_ratio = sum(r[1] for r in ref) / sum(o[1] for o in ours)
        no_worse = sum(
            1
            for (o, _), (r, _) in zip(ours, ref, strict=True)
            if o is not None and o.steiner_cost <= r.steiner_cost * (1 + 1e-9) + 1e-9
        )
        same_cov = sum(
            1 for (o, _), (r, _) in zip(ours, ref, strict=True) if o is not None and o.coverage >= r.coverage
        )
        print(
            f"\nEnhancedSteiner (one-pass, scipy) vs networkx reference: {ratio:.0f}× faster (median per request; "
            f"{total_ratio:.0f}× on the total), Steiner cost no worse on {no_worse}/{len(tasks)} tasks "
            f"({no_worse / len(tasks) * 100:.0f}%), coverage no worse on {same_cov}/{len(tasks)}."
        )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--tasks", type=int, default=30)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--skip-experts", action="store_true")
    parser.add_argument("--algorithms", nargs="+", default=list(ALGORITHMS), choices=ALGORITHMS)
    parser.add_argument(
        "--no-full-request", action="store_true", help="skip timing the full four-algorithm request"
    )
    args = parser.parse_args()
    for n in args.people:
        t0 = time.perf_counter()
        platform = generate(n, seed=args.seed)
        print(f"\n## {n:,} people (generated in {time.perf_counter() - t0:.1f} s, seed {args.seed})")
        if not args.skip_experts:
            expert_finder(platform, args.questions, args.seed)
        teams(
            platform,
            args.tasks,
            args.seed,
            reference=not args.no_reference,
            algorithms=tuple(args.algorithms),
            full_request=not args.no_full_request,
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
