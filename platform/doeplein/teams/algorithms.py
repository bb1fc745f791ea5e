"""Team formation on a plain weighted graph and a skill map (no Django here).

Benchmarks, outside data sets and the Celery job all call :func:`suggest_teams`::

    result = suggest_teams(graph, skills_of, Task(skills=("hydrologie", "gis")))

``graph`` is an ``n × n`` scipy sparse matrix (or anything ``scipy.sparse.csr_matrix`` accepts) whose
entries are *communication costs* (distances, > 0) between people ``0 … n-1``; an edge given in one
direction counts both ways. ``skills_of`` maps a node to the skills it holds (a mapping or a list
indexed by node). For repeated requests on the same graph build a :class:`Network` once and pass it
as ``graph`` (``skills_of`` is then ignored).

Algorithms (every one returns one team; up to ``Task.max_teams`` distinct teams are returned):

* ``steiner`` — EnhancedSteiner (Lappas, Liu and Terzi, KDD 2009): one node per needed skill joined to
  its holders by an edge of weight ``D`` (larger than all edges together), then a Steiner tree over
  the skill nodes (and the must-include people). The Steiner tree is Mehlhorn's 2-approximation done
  in one pass: one multi-source Dijkstra from all terminals (scipy ``csgraph``) gives each node its
  nearest terminal; the cheapest edge between every two Voronoi regions gives the terminal graph; its
  minimum spanning tree, expanded along the shortest paths, then re-spanned and pruned of leaves that
  are not terminals, is the tree.
* ``rarest_first`` — RarestFirst (same paper): for every holder of the rarest needed skill, the nearest
  holder of every other skill; the team whose farthest member is nearest wins (a diameter bound).
* ``leader`` — leader-distance team (Kargar and An, CIKM 2011): the person whose summed distance to the
  nearest holder of each skill is smallest leads; the team is the leader and those holders.
* ``sum_distances`` — sum-of-distances team (same paper): for holders of the needed skills, the nearest
  holder of every other skill; the team with the smallest sum of pairwise distances wins (the
  candidates are first ranked by the summed distance to them, an upper bound, and the best few are
  measured exactly).

Load balancing (Anagnostopoulos et al., WWW 2012): ``load[i]`` counts the teams person ``i`` is already
in; each person costs ``balance · w̄ · (2^(load/capacity) − 1)`` extra (``w̄`` the mean edge weight), half
on every edge they touch and all of it on their skill edges, so that busy people are chosen only where
they save more than their load costs. Alternatives beyond the algorithms' own distinct answers come
from the same penalty laid on the people already suggested.

Every team is measured on the graph without penalties, the same way for every algorithm: coverage,
size, diameter (largest shortest-path distance between two members), sum of distances (over all pairs
of members), Steiner cost (the minimum spanning tree over the members' shortest-path distances: the
communication cost of Lappas et al. for any team), and per member why they are in it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

ALGORITHMS = ("steiner", "rarest_first", "leader", "sum_distances")
_EPS = 1e-9
_SD_CANDIDATES = 8  # sum_distances: candidates measured exactly after the upper-bound ranking


def normalise_skill(skill):
    return " ".join(str(skill).split()).casefold()


@dataclass(frozen=True)
class Task:
    """What a team must bring. Nodes are graph indices."""

    skills: tuple = ()
    min_size: int = 1
    max_size: int | None = None
    must_include: tuple = ()
    exclude: tuple = ()
    max_teams: int = 3


@dataclass
class Member:
    node: int
    skills: list  # the needed skills this member brings
    reasons: list  # [{"kind": "skill"|"leader"|"connector"|"required"|"extra", ...}]

    @property
    def why(self):
        """The reasons in plain English (the platform renders them in the reader's language)."""
        parts = []
        for reason in self.reasons:
            kind = reason["kind"]
            if kind == "skill":
                parts.append(f"brings {reason['skill']}")
            elif kind == "leader":
                parts.append("closest to all the experts (leader)")
            elif kind == "connector":
                parts.append("connects the others")
            elif kind == "required":
                parts.append("asked for")
            elif kind == "extra":
                parts.append("works closely with the team")
        return ", ".join(parts)


@dataclass
class Team:
    algorithm: str
    members: list
    covered: list
    uncovered: list
    cost: float  # the algorithm's own objective
    coverage: float = 0.0
    diameter: float = math.inf
    sum_distances: float = math.inf
    steiner_cost: float = math.inf
    connected: bool = False
    warnings: list = field(default_factory=list)

    @property
    def size(self):
        return len(self.members)

    @property
    def nodes(self):
        return [m.node for m in self.members]

    def as_dict(self):
        def num(x):
            return None if x is None or not math.isfinite(x) else round(float(x), 6)

        return {
            "algorithm": self.algorithm,
            "members": [
                {"node": int(m.node), "skills": list(m.skills), "reasons": m.reasons, "why": m.why}
                for m in self.members
            ],
            "covered": list(self.covered),
            "uncovered": list(self.uncovered),
            "coverage": num(self.coverage),
            "size": self.size,
            "cost": num(self.cost),
            "diameter": num(self.diameter),
            "sum_distances": num(self.sum_distances),
            "steiner_cost": num(self.steiner_cost),
            "connected": self.connected,
            "warnings": list(self.warnings),
        }


@dataclass
class Result:
    teams: list
    needed: list
    uncovered: list  # needed skills nobody available holds
    warnings: list
    seconds: float = 0.0

    def as_dict(self):
        return {
            "teams": [t.as_dict() for t in self.teams],
            "needed": list(self.needed),
            "uncovered": list(self.uncovered),
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 6),
        }


class Network:
    """A graph and a skill map, prepared once for many requests.

    The skill-augmented graph of EnhancedSteiner (people ``0 … n-1``, then one node per skill) is built
    here, with every skill, so that a request only lays its penalties on the edge weights.
    """

    def __init__(self, graph, skills_of):
        g = sparse.csr_matrix(graph, dtype=np.float64) if graph is not None else sparse.csr_matrix((0, 0))
        if g.shape[0] != g.shape[1]:
            raise ValueError("The graph must be square (n × n).")
        g.data = np.where(np.isfinite(g.data) & (g.data > 0), np.maximum(g.data, _EPS), 0.0)
        g.eliminate_zeros()
        g = g.maximum(g.T).tocsr()
        g.sort_indices()
        self.graph = g
        self.n = n = g.shape[0]

        items = skills_of.items() if isinstance(skills_of, Mapping) else enumerate(skills_of or ())
        skill_ids, rows, cols = {}, [], []
        self.node_skills = [frozenset()] * n
        for node, skills in items:
            node = int(node)
            if not 0 <= node < n:
                continue
            names = frozenset(normalise_skill(s) for s in (skills or ()) if normalise_skill(s))
            self.node_skills[node] = names
            for name in names:
                sid = skill_ids.setdefault(name, len(skill_ids))
                rows.append(node)
                cols.append(sid)
        self.skill_ids = skill_ids
        self.skill_names = list(skill_ids)
        holders = sparse.csc_matrix(
            (np.ones(len(rows)), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(n, len(skill_ids)),
        )
        self.holders = [
            holders.indices[holders.indptr[s] : holders.indptr[s + 1]] for s in range(len(skill_ids))
        ]

        # Lappas et al.: D larger than any path, so that skill nodes are leaves of every tree.
        self.mean_weight = float(g.data.mean()) if g.nnz else 1.0
        self.big = float(g.data.sum()) + 1.0
        self._aug = None
        self._skill_rows = np.array(rows, dtype=np.int64)
        self._skill_cols = np.array(cols, dtype=np.int64) + n

    def without(self, removed):
        """The people graph without the ``removed`` people's edges (``None``/none removed: as is)."""
        if removed is None or not removed.any():
            return self.graph
        keep = sparse.diags((~removed).astype(np.float64))
        g = (keep @ self.graph @ keep).tocsr()
        g.eliminate_zeros()
        return g

    # --- graphs with a request's penalties ---------------------------------------------------------------
    def penalised(self, penalty):
        """The people graph with ``penalty[i]/2`` added to every edge of ``i`` (``None``: no penalty)."""
        if penalty is None:
            return self.graph
        g = self.graph.copy()
        rows = np.repeat(np.arange(self.n), np.diff(g.indptr))
        g.data = g.data + (penalty[rows] + penalty[g.indices]) / 2
        return g

    def augmented(self, penalty, removed):
        """The skill-augmented graph (symmetric, CSR) with a request's penalties, without the
        ``removed`` people. Built once; a request only rewrites a copy of its weights (no sorting)."""
        if self._aug is None:
            n, s = self.n, len(self.skill_names)
            coo = sparse.triu(self.graph, k=1).tocoo()
            u, v, w = coo.row, coo.col, coo.data
            su, sv = self._skill_rows, self._skill_cols
            sw = np.full(len(su), self.big)
            rows = np.concatenate([u, v, su, sv])
            cols = np.concatenate([v, u, sv, su])
            aug = sparse.csr_matrix((np.concatenate([w, w, sw, sw]), (rows, cols)), shape=(n + s, n + s))
            aug.sort_indices()
            self._aug = aug
            self._aug_rows = np.repeat(np.arange(n + s), np.diff(aug.indptr))
        if penalty is None and (removed is None or not removed.any()):
            return self._aug
        aug = self._aug.copy()
        r, c = self._aug_rows, aug.indices
        n = self.n
        if penalty is not None:
            p = np.concatenate([penalty, np.zeros(aug.shape[0] - n)])
            # half of each end's penalty on a person-person edge, all of the holder's on a skill edge
            person_edge = (r < n) & (c < n)
            aug.data = aug.data + np.where(person_edge, (p[r] + p[c]) / 2, p[r] + p[c])
        if removed is not None and removed.any():
            gone = np.concatenate([removed, np.zeros(aug.shape[0] - n, dtype=bool)])
            aug.data = np.where(gone[r] | gone[c], 0.0, aug.data)
            aug.eliminate_zeros()
        return aug

    def load_penalty(self, load, balance, capacity):
        if load is None or balance <= 0 or self.n == 0:
            return None
        arr = np.zeros(self.n)
        if isinstance(load, Mapping):
            for node, value in load.items():
                if 0 <= int(node) < self.n:
                    arr[int(node)] = float(value)
        else:
            arr[:] = np.asarray(load, dtype=float)[: self.n]
        if not arr.any():
            return None
        return balance * self.mean_weight * (np.exp2(np.maximum(arr, 0) / max(capacity, _EPS)) - 1.0)


# --- measuring a team ----------------------------------------------------------------------------------
def pairwise(network, nodes, bound=math.inf, graph=None):
    """Shortest-path distances between ``nodes`` on the plain graph (or ``graph``). ``bound``: a known
    upper bound of every finite distance among them (it limits the search)."""
    nodes = np.asarray(nodes, dtype=np.int64)
    if len(nodes) == 0:
        return np.zeros((0, 0))
    limit = bound * (1 + 1e-9) + _EPS if math.isfinite(bound) else np.inf
    graph = network.graph if graph is None else graph
    dist = csgraph.dijkstra(graph, directed=True, indices=nodes, limit=limit)
    return dist[:, nodes]


def measure(network, team, bound=math.inf, graph=None):
    """Fill in a team's diameter, sum of distances, Steiner (MST) cost and connectedness, on the
    graph without penalties (``graph``: that graph without the excluded people)."""
    nodes = team.nodes
    if len(nodes) <= 1:
        team.diameter = team.sum_distances = team.steiner_cost = 0.0
        team.connected = len(nodes) == 1
        return team
    d = pairwise(network, nodes, bound, graph)
    upper = d[np.triu_indices(len(nodes), k=1)]
    team.connected = bool(np.isfinite(upper).all())
    team.diameter = float(upper.max()) if team.connected else math.inf
    team.sum_distances = float(upper.sum()) if team.connected else math.inf
    finite = np.where(np.isfinite(d), d, 0.0)
    team.steiner_cost = float(csgraph.minimum_spanning_tree(finite).sum())
    return team


# --- the algorithms --------------------------------------------------------------------------------------
class _Request:
    """What every algorithm of one request shares: penalties, removed people, distance rows."""

    def __init__(self, network, needed_ids, must, removed, penalty):
        self.net = network
        self.needed_ids = needed_ids  # skill ids still to cover (not brought by must-include people)
        self.must = must
        self.removed = removed
        self.penalty = penalty
        self.aug = network.augmented(penalty, removed)
        self.plain = network.without(removed)
        self._rows = None
        self._people = None
        self.bound = math.inf  # an upper bound of the distances within the last Steiner team

    def people_graph(self):
        """The penalised graph of people alone (the augmented graph without its skill nodes)."""
        if self._people is None:
            n = self.net.n
            self._people = self.aug[:n][:, :n].tocsr()
        return self._people

    def rows(self):
        """Distances (k+m) × (n+s) on the augmented graph from each needed skill node and each
        must-include person, with predecessors: one scipy call, k+m Dijkstra passes."""
        if self._rows is None:
            n = self.net.n
            sources = [n + sid for sid in self.needed_ids] + list(self.must)
            if sources:
                dist, pred = csgraph.dijkstra(
                    self.aug, directed=True, indices=sources, return_predecessors=True
                )
            else:
                dist = np.zeros((0, self.aug.shape[0]))
                pred = np.zeros((0, self.aug.shape[0]), dtype=np.int32)
            k = len(self.needed_ids)
            skill_dist = dist[:k, :n] - self.net.big  # distance to the nearest (penalised) holder
            self._rows = (skill_dist, dist[k:, :n], pred)
        return self._rows

    def nearest_holder(self, row, v):
        """The holder of needed skill ``row`` nearest to ``v`` (walk the predecessors back)."""
        _, _, pred = self.rows()
        skill_node = self.net.n + self.needed_ids[row]
        node = v
        while True:
            parent = pred[row, node]
            if parent < 0:
                return None
            if parent == skill_node:
                return int(node)
            node = parent

    def center_team(self, algorithm, v, cost):
        members = {}
        for m in self.must:
            members[m] = Member(m, [], [{"kind": "required"}])
        for row, _sid in enumerate(self.needed_ids):
            h = self.nearest_holder(row, v)
            if h is None:
                continue
            members.setdefault(h, Member(h, [], []))
        if v not in members:
            members[v] = Member(v, [], [])
        if algorithm == "leader":
            members[v].reasons.append({"kind": "leader"})
        return members, cost

    def candidates_scores(self, combine):
        """Per node: (needed skills reachable, cost), cost combined over reachable rows."""
        skill_dist, must_dist, _ = self.rows()
        allrows = np.vstack([skill_dist, must_dist]) if len(must_dist) else skill_dist
        k = len(skill_dist)
        finite = np.isfinite(allrows)
        reach = finite[:k].sum(axis=0)
        masked = np.where(finite, allrows, 0.0)
        cost = masked.sum(axis=0) if combine == "sum" else masked.max(axis=0)
        must_ok = finite[k:].all(axis=0) if len(must_dist) else np.ones(self.net.n, dtype=bool)
        return reach, must_ok, cost

    def pick(self, candidates, reach, must_ok, cost, top=1):
        candidates = candidates[~self.removed[candidates]] if self.removed is not None else candidates
        if len(candidates) == 0:
            return []
        order = np.lexsort((cost[candidates], ~must_ok[candidates], -reach[candidates]))
        return [int(c) for c in candidates[order[:top]]]


def _rarest_first(req):
    net = req.net
    if not req.needed_ids:
        return _must_only(req, "rarest_first")
    rare_row = int(np.argmin([len(net.holders[sid]) for sid in req.needed_ids]))
    reach, must_ok, cost = req.candidates_scores("max")
    picked = req.pick(net.holders[req.needed_ids[rare_row]], reach, must_ok, cost)
    if not picked:
        return None
    return req.center_team("rarest_first", picked[0], float(cost[picked[0]]))


def _leader(req):
    if not req.needed_ids:
        return _must_only(req, "leader")
    reach, must_ok, cost = req.candidates_scores("sum")
    picked = req.pick(np.arange(req.net.n), reach, must_ok, cost)
    if not picked:
        return None
    return req.center_team("leader", picked[0], float(cost[picked[0]]))


def _sum_distances(req):
    net = req.net
    if not req.needed_ids:
        return _must_only(req, "sum_distances")
    reach, must_ok, cost = req.candidates_scores("sum")
    holders = np.unique(np.concatenate([net.holders[sid] for sid in req.needed_ids]))
    best = None
    for v in req.pick(holders, reach, must_ok, cost, top=_SD_CANDIDATES):
        members, _ = req.center_team("sum_distances", v, 0.0)
        nodes = list(members)
        # Every member is within cost[v] of v (penalties only lengthen paths): pairs within 2·cost[v].
        d = pairwise(net, nodes, bound=2 * float(cost[v]), graph=req.plain)
        upper = d[np.triu_indices(len(nodes), k=1)]
        key = (-int(np.isfinite(upper).sum()), float(np.where(np.isfinite(upper), upper, 0).sum()))
        if best is None or key < best[0]:
            best = (key, members)
    if best is None:
        return None
    return best[1], best[0][1]


def _must_only(req, algorithm):
    if not req.must:
        return None
    return {m: Member(m, [], [{"kind": "required"}]) for m in req.must}, 0.0


def _steiner(req):
    """EnhancedSteiner with Mehlhorn's one-pass Steiner approximation."""
    net = req.net
    n = net.n
    terminals = [n + sid for sid in req.needed_ids] + list(req.must)
    if not terminals:
        return None
    radius = 1.5 * net.mean_weight
    tree_nodes, tree_edges = steiner_tree(req.aug, terminals, radius=radius, offset=net.big)
    members = {}
    for m in req.must:
        members[m] = Member(m, [], [{"kind": "required"}])
    for u, v, _ in tree_edges:
        for node in (u, v):
            if node < n:
                members.setdefault(int(node), Member(int(node), [], []))
    # A skill in a piece of the graph of its own is a lone terminal: its cheapest holder brings it.
    touched = {u for u, v, _ in tree_edges} | {v for u, v, _ in tree_edges}
    for node in tree_nodes:
        if node >= n and node not in touched:
            row = req.aug.getrow(node)
            if row.nnz:
                holder = int(row.indices[np.argmin(row.data)])
                members.setdefault(holder, Member(holder, [], []))
    cost = float(sum(w for u, v, w in tree_edges if u < n and v < n))
    # A skill node joined to two holders relays between them at 2·D: the people in the tree are then
    # not connected among themselves. Keep one holder per skill (the one bringing most needed skills)
    # and join the kept people with a second one-pass Steiner tree on the people graph; keep the
    # cheaper connected answer.
    degree = {}
    for u, v, _ in tree_edges:
        degree[u] = degree.get(u, 0) + 1
        degree[v] = degree.get(v, 0) + 1
    relays = any(node >= n and d > 1 for node, d in degree.items())
    needed = {net.skill_names[sid] for sid in req.needed_ids}
    kept = set(req.must)
    for sid in req.needed_ids:
        name = net.skill_names[sid]
        owners = [node for node in members if name in net.node_skills[node]]
        if owners and not any(name in net.node_skills[k] for k in kept):
            kept.add(
                max(
                    owners, key=lambda node: (len(net.node_skills[node] & needed), degree.get(node, 0), -node)
                )
            )
    choices = [kept]
    # Holders picked pair by pair can lie far apart. A second choice, as Kargar and An's leader would
    # pick them: around the tree's person nearest to all the skills, each skill's nearest holder (one
    # bounded multi-source Dijkstra from the tree's people).
    centres = [node for node in members if node < n]
    if len(centres) > 1 and req.needed_ids:
        reach = max(cost, 2 * radius)
        dist = csgraph.dijkstra(req.aug, directed=True, indices=centres, limit=reach * (1 + 1e-9) + _EPS)
        per_skill = [dist[:, net.holders[sid]] for sid in req.needed_ids]
        total = np.sum([d.min(axis=1) for d in per_skill], axis=0)
        best = int(np.argmin(total))
        if np.isfinite(total[best]):
            around = set(req.must) | {
                int(net.holders[sid][np.argmin(d[best])])
                for sid, d in zip(req.needed_ids, per_skill, strict=True)
            }
            if around != kept:
                choices.append(around)
    best_tree = None
    for chosen in choices:
        if len(chosen) <= 1 or not (relays or len(chosen) < len(members) or chosen is not kept):
            continue
        # On the augmented graph too: a path through a skill node (2·D) means the people are not
        # connected among themselves.
        nodes2, edges2 = steiner_tree(req.aug, sorted(chosen), radius=radius)
        cost2 = float(sum(w for _, _, w in edges2))
        connected2 = len(edges2) == len(nodes2) - 1 and all(u < n and v < n for u, v, _ in edges2)
        if connected2 and (relays or cost2 < cost) and (best_tree is None or cost2 < best_tree[0]):
            best_tree = (cost2, nodes2, edges2)
    if best_tree is not None:
        cost, nodes2, tree_edges = best_tree
        members = {m: Member(m, [], [{"kind": "required"}]) for m in req.must}
        for node in nodes2:
            members.setdefault(int(node), Member(int(node), [], []))
    req.bound = _tree_diameter(tree_edges, n)
    return members, cost


def _tree_diameter(edges, n):
    """The longest path of a tree on people (a bound of every shortest path between its nodes)."""
    edges = [(u, v, w) for u, v, w in edges if u < n and v < n]
    if not edges:
        return math.inf
    nodes = sorted({u for u, _, _ in edges} | {v for _, v, _ in edges})
    local = {node: i for i, node in enumerate(nodes)}
    tree = sparse.csr_matrix(
        ([w for _, _, w in edges], ([local[u] for u, _, _ in edges], [local[v] for _, v, _ in edges])),
        shape=(len(nodes), len(nodes)),
    )
    d = csgraph.shortest_path(tree, directed=False)
    finite = d[np.isfinite(d)]
    return float(finite.max()) if len(finite) == len(nodes) ** 2 else math.inf


def steiner_tree(graph, terminals, radius=None, offset=0.0):
    """Mehlhorn's Steiner tree 2-approximation in one multi-source Dijkstra pass.

    ``graph`` is a symmetric CSR matrix, ``terminals`` node indices. Returns ``(nodes, edges)`` with
    edges as ``(u, v, weight)``; a graph in pieces gives a Steiner forest (one tree per piece).
    ``radius``: search only that far (beyond ``offset``) from the terminals, three times farther while
    the terminals' regions do not touch, then without bound: the tree is then found in a small part of
    a large graph.
    """
    terminals = np.unique(np.asarray(terminals, dtype=np.int64))
    if len(terminals) == 0:
        return [], []
    if len(terminals) == 1:
        return [int(terminals[0])], []
    t = len(terminals)
    index = np.full(graph.shape[0], -1, dtype=np.int64)
    index[terminals] = np.arange(t)
    tries = 0
    while True:
        limit = np.inf if radius is None else offset + radius
        dist, pred, src = csgraph.dijkstra(
            graph, directed=True, indices=terminals, min_only=True, return_predecessors=True, limit=limit
        )
        reached = np.flatnonzero(np.isfinite(dist))
        sub = graph[reached]
        u = np.repeat(reached, np.diff(sub.indptr))
        v, w = sub.indices, sub.data
        su, sv = src[u], src[v]
        cross = (u < v) & (su >= 0) & (sv >= 0) & (su != sv)
        u, v, w, su, sv = u[cross], v[cross], w[cross], su[cross], sv[cross]
        length = dist[u] + w + dist[v]
        a, b = index[su], index[sv]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        key = lo * t + hi
        order = np.lexsort((length, key))
        key_sorted = key[order]
        first = order[np.concatenate([[True], key_sorted[1:] != key_sorted[:-1]])] if len(order) else order
        if radius is None:
            break
        pieces = csgraph.connected_components(
            sparse.csr_matrix((np.ones(len(first)), (lo[first], hi[first])), shape=(t, t)), directed=False
        )[0]
        if pieces == 1:
            break
        tries += 1
        radius = radius * 3 if tries < 4 else None
    term_graph = sparse.csr_matrix((length[first], (lo[first], hi[first])), shape=(t, t))
    mst = csgraph.minimum_spanning_tree(term_graph).tocoo()
    # The bridge edge that realises each terminal-graph edge.
    bridge = {(int(lo[e]), int(hi[e])): (int(u[e]), int(v[e])) for e in first}
    nodes = {int(x) for x in terminals}
    for i, j in zip(mst.row, mst.col, strict=True):
        x, y = bridge[(min(i, j), max(i, j))]
        for end in (x, y):
            node = end
            while node >= 0 and node not in nodes:
                nodes.add(node)
                node = int(pred[node])
            nodes.add(end)
    # Mehlhorn's last steps: span the chosen nodes again, drop leaves that are not terminals.
    chosen = np.array(sorted(nodes), dtype=np.int64)
    sub = graph[chosen][:, chosen]
    span = csgraph.minimum_spanning_tree(sub).tocoo()
    adjacency = {i: {} for i in range(len(chosen))}
    for i, j, weight in zip(span.row, span.col, span.data, strict=True):
        adjacency[int(i)][int(j)] = float(weight)
        adjacency[int(j)][int(i)] = float(weight)
    is_terminal = np.isin(chosen, terminals)
    leaves = [i for i, nb in adjacency.items() if len(nb) <= 1 and not is_terminal[i]]
    while leaves:
        i = leaves.pop()
        if i not in adjacency:
            continue
        for j in list(adjacency[i]):
            del adjacency[j][i]
            if len(adjacency[j]) <= 1 and not is_terminal[j]:
                leaves.append(j)
        del adjacency[i]
    edges = [
        (int(chosen[i]), int(chosen[j]), w) for i, nb in adjacency.items() for j, w in nb.items() if i < j
    ]
    return [int(chosen[i]) for i in adjacency], edges


_RUN = {
    "steiner": _steiner,
    "rarest_first": _rarest_first,
    "leader": _leader,
    "sum_distances": _sum_distances,
}


# --- finishing a team: skills, redundancy, size bounds, reasons ---------------------------------------
def _finish(net, req, algorithm, members, cost, needed, task, removed):
    """Assign each needed skill to one member, drop members nobody needs, honour the size bounds."""
    needed_set = set(needed)
    holds = {node: net.node_skills[node] & needed_set for node in members}
    # Assign every skill to the member holding it who holds the most needed skills (fewest people).
    assigned = {}
    for skill in needed:
        owners = [node for node in members if skill in holds[node]]
        if owners:
            assigned[skill] = max(owners, key=lambda node: (len(holds[node]), -node))
    required = set(task.must_include) & set(members)
    structural = {node for node, m in members.items() if any(r["kind"] == "leader" for r in m.reasons)}
    keep = set(assigned.values()) | required | structural
    if algorithm == "steiner":
        keep |= set(members)  # tree nodes without a skill connect the others
    for node in list(members):
        if node not in keep:
            del members[node]
    for skill, node in assigned.items():
        members[node].skills.append(skill)
        members[node].reasons.append({"kind": "skill", "skill": skill})
    for m in members.values():
        if not m.reasons:
            m.reasons.append({"kind": "connector"})
    team = Team(
        algorithm=algorithm,
        members=sorted(members.values(), key=lambda m: (-len(m.skills), m.node)),
        covered=[s for s in needed if s in assigned],
        uncovered=[s for s in needed if s not in assigned],
        cost=cost,
    )
    if task.min_size and team.size < task.min_size:
        _grow(req.plain, team, task.min_size, removed)
    if task.max_size and team.size > task.max_size:
        team.warnings.append("too_large")
    if team.size < (task.min_size or 0):
        team.warnings.append("too_small")
    team.coverage = len(team.covered) / len(needed) if needed else 1.0
    return team


def _grow(graph, team, size, removed):
    """Add the people nearest to the team until it has ``size`` members."""
    nodes = team.nodes
    if not nodes:
        return
    dist = csgraph.dijkstra(graph, directed=True, indices=nodes, min_only=True)
    dist[nodes] = np.inf
    if removed is not None:
        dist[removed] = np.inf
    want = size - len(nodes)
    near = np.argsort(dist, kind="stable")[:want]
    for node in near:
        if np.isfinite(dist[node]):
            team.members.append(Member(int(node), [], [{"kind": "extra"}]))


def _rank_key(team):
    return (-team.coverage, bool(team.warnings), not team.connected, team.steiner_cost, team.size)


# --- the entry point ---------------------------------------------------------------------------------------
def suggest_teams(
    graph,
    skills_of=None,
    task=None,
    *,
    algorithms: Sequence[str] = ALGORITHMS,
    load=None,
    balance: float = 1.0,
    capacity: float = 3.0,
    measured: bool = True,
) -> Result:
    """Up to ``task.max_teams`` distinct teams that cover ``task.skills`` with low communication cost.

    ``graph``: a :class:`Network` or an ``n × n`` sparse matrix of distances (then ``skills_of`` gives
    the skills per node). ``load``: teams each person is already in (mapping or array), for load
    balancing. Skills nobody available holds are reported in ``Result.uncovered`` and the best partial
    team is returned; a graph in pieces gives teams marked ``connected=False`` when no piece covers
    everything. ``measured=False`` skips measuring the teams (benchmarks time the search alone and
    measure every algorithm's teams, the reference's too, the same way afterwards). Raises
    ``ValueError`` for an unknown algorithm or a negative size.
    """
    started = time.perf_counter()
    task = task or Task()
    unknown = [a for a in algorithms if a not in _RUN]
    if unknown:
        raise ValueError(f"Unknown algorithm(s): {', '.join(unknown)}; known: {', '.join(ALGORITHMS)}.")
    if (task.min_size or 0) < 0 or (task.max_size is not None and task.max_size < 1):
        raise ValueError("Team size bounds must be positive.")
    if task.max_size is not None and task.min_size and task.min_size > task.max_size:
        raise ValueError("The smallest team size is larger than the largest.")
    net = graph if isinstance(graph, Network) else Network(graph, skills_of or {})
    needed = list(dict.fromkeys(normalise_skill(s) for s in task.skills if normalise_skill(s)))
    warnings = []
    if net.n == 0:
        return Result([], needed, needed, ["empty_graph"], time.perf_counter() - started)

    excluded = {int(x) for x in task.exclude if 0 <= int(x) < net.n}
    must = [int(x) for x in dict.fromkeys(task.must_include) if 0 <= int(x) < net.n]
    if any(m in excluded for m in must):
        warnings.append("must_include_excluded")
        must = [m for m in must if m not in excluded]
    removed = np.zeros(net.n, dtype=bool)
    removed[list(excluded)] = True

    # Skills nobody available holds cannot be covered: say so, and build the best partial team.
    def available(skill):
        sid = net.skill_ids.get(skill)
        return sid is not None and (~removed[net.holders[sid]]).any()

    uncovered = [s for s in needed if not available(s)]
    brought = set().union(*(net.node_skills[m] for m in must)) if must else set()
    to_cover = [net.skill_ids[s] for s in needed if s not in uncovered and s not in brought]
    if not needed and not must:
        warnings.append("nothing_needed")
        return Result([], needed, uncovered, warnings, time.perf_counter() - started)

    base_penalty = net.load_penalty(load, balance, capacity)
    teams, seen = [], set()

    def run(penalty, names):
        req = _Request(net, to_cover, must, removed, penalty)
        for name in names:
            found = _RUN[name](req)
            if found is None:
                continue
            members, cost = found
            team = _finish(net, req, name, members, cost, needed, task, removed)
            key = frozenset(team.nodes)
            if not key or key in seen:
                continue
            seen.add(key)
            # A Steiner tree holds every member, so no two are farther apart than its (penalised) cost.
            grown = any(r["kind"] == "extra" for m in team.members for r in m.reasons)
            bound = getattr(req, "bound", math.inf) if name == "steiner" and not grown else math.inf
            if measured:
                measure(net, team, bound=bound, graph=req.plain)
            teams.append(team)

    run(base_penalty, algorithms)
    # Fewer distinct teams than asked: lay a load penalty on those already suggested and try again.
    tries = 0
    while len(teams) < task.max_teams and teams and tries < task.max_teams:
        tries += 1
        used = np.zeros(net.n)
        for team in teams:
            used[team.nodes] += 1
        extra = 2.0 * net.mean_weight * used
        penalty = extra if base_penalty is None else base_penalty + extra
        before = len(teams)
        run(penalty, algorithms[:1])
        if len(teams) == before:
            break
    teams.sort(key=_rank_key)
    teams = teams[: max(task.max_teams, 0)]
    if teams and not teams[0].connected and teams[0].size > 1:
        warnings.append("not_connected")
    return Result(teams, needed, uncovered, warnings, time.perf_counter() - started)


def graph_from_edges(n, edges: Iterable, weights: Iterable | None = None):
    """An ``n × n`` CSR distance matrix from ``(u, v)`` pairs (weights default to 1; a pair given twice
    adds up)."""
    edges = np.asarray(list(edges), dtype=np.int64).reshape(-1, 2)
    w = np.ones(len(edges)) if weights is None else np.asarray(list(weights), dtype=float)
    g = (
        sparse.csr_matrix((w, (edges[:, 0], edges[:, 1])), shape=(n, n))
        if len(edges)
        else sparse.csr_matrix((n, n))
    )
    return g
