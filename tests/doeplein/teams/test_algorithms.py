"""The team-formation algorithms on small graphs whose answers can be checked by hand."""

import math

import numpy as np
import pytest

from doeplein.teams.algorithms import (
    ALGORITHMS,
    Network,
    Task,
    graph_from_edges,
    steiner_tree,
    suggest_teams,
)


def hub_graph():
    """0 (a), 1 (b), 2 (c) each 1 away from hub 3 (no skill); direct edges between them cost 5."""
    g = graph_from_edges(4, [(0, 3), (1, 3), (2, 3), (0, 1), (1, 2)], [1, 1, 1, 5, 5])
    return g, {0: ["a"], 1: ["b"], 2: ["c"]}


def test_steiner_joins_the_experts_through_the_hub():
    g, skills = hub_graph()
    result = suggest_teams(g, skills, Task(skills=("a", "b", "c")), algorithms=("steiner",))
    team = result.teams[0]
    assert sorted(team.nodes) == [0, 1, 2, 3]
    assert team.cost == pytest.approx(3.0)
    assert team.coverage == 1.0 and team.connected
    assert team.diameter == pytest.approx(2.0)
    # pairs 0-1, 0-2, 1-2 are 2 apart, each to the hub 1: 6 + 3
    assert team.sum_distances == pytest.approx(9.0)
    assert team.steiner_cost == pytest.approx(3.0)
    hub = next(m for m in team.members if m.node == 3)
    assert hub.reasons == [{"kind": "connector"}] and hub.skills == []
    expert = next(m for m in team.members if m.node == 0)
    assert expert.skills == ["a"] and "brings a" in expert.why


def test_leader_is_the_hub_for_kargar_and_an():
    g, skills = hub_graph()
    team = suggest_teams(g, skills, Task(skills=("a", "b", "c")), algorithms=("leader",)).teams[0]
    assert sorted(team.nodes) == [0, 1, 2, 3]
    assert team.cost == pytest.approx(3.0)  # 1 + 1 + 1 from the leader
    assert {"kind": "leader"} in next(m for m in team.members if m.node == 3).reasons


def test_one_person_holding_every_skill_is_the_whole_team():
    g = graph_from_edges(5, [(0, 1), (1, 2), (2, 3), (3, 4)])
    skills = {0: ["a"], 4: ["b"], 2: ["a", "b"]}
    for algorithm in ALGORITHMS:
        team = suggest_teams(g, skills, Task(skills=("a", "b")), algorithms=(algorithm,)).teams[0]
        assert team.nodes == [2], algorithm
        assert team.diameter == 0.0 and team.steiner_cost == 0.0


def test_rarest_first_starts_from_the_only_holder_of_the_rare_skill():
    # path 0-1-2-3-4-5; "rare" only at 5; "common" at 0 and 4: the nearest common holder to 5 is 4.
    g = graph_from_edges(6, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)])
    skills = {0: ["common"], 4: ["common"], 5: ["rare"]}
    team = suggest_teams(g, skills, Task(skills=("rare", "common")), algorithms=("rarest_first",)).teams[0]
    assert sorted(team.nodes) == [4, 5]
    assert team.cost == pytest.approx(1.0) and team.diameter == pytest.approx(1.0)


def test_sum_distances_prefers_the_tight_cluster():
    # Two clusters each covering a, b, c: the left one's pairs are 1 apart, the right one's 3 apart.
    edges = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    weights = [1, 1, 1, 3, 3, 3, 10]
    g = graph_from_edges(6, edges, weights)
    skills = {0: ["a"], 1: ["b"], 2: ["c"], 3: ["a"], 4: ["b"], 5: ["c"]}
    team = suggest_teams(g, skills, Task(skills=("a", "b", "c")), algorithms=("sum_distances",)).teams[0]
    assert sorted(team.nodes) == [0, 1, 2]
    assert team.sum_distances == pytest.approx(3.0)


def test_a_skill_nobody_has_is_reported_and_the_best_partial_team_returned():
    g, skills = hub_graph()
    result = suggest_teams(g, skills, Task(skills=("a", "b", "zeilen")))
    assert result.uncovered == ["zeilen"]
    best = result.teams[0]
    assert best.covered == ["a", "b"] and best.uncovered == ["zeilen"]
    assert best.coverage == pytest.approx(2 / 3)


def test_a_graph_in_pieces_still_covers_every_skill_and_says_it_is_not_connected():
    g = graph_from_edges(4, [(0, 1), (2, 3)])
    skills = {0: ["a"], 3: ["b"]}
    result = suggest_teams(g, skills, Task(skills=("a", "b")))
    best = result.teams[0]
    assert best.coverage == 1.0
    assert sorted(best.nodes) == [0, 3]
    assert not best.connected and math.isinf(best.diameter)
    assert "not_connected" in result.warnings


def test_empty_input_is_an_answer_not_an_error():
    empty = suggest_teams(graph_from_edges(0, []), {}, Task(skills=("a",)))
    assert empty.teams == [] and empty.uncovered == ["a"] and empty.warnings == ["empty_graph"]
    nothing = suggest_teams(graph_from_edges(3, [(0, 1)]), {0: ["a"]}, Task(skills=()))
    assert nothing.teams == [] and "nothing_needed" in nothing.warnings
    lonely = suggest_teams(graph_from_edges(3, []), {}, Task(skills=("a",)))
    assert lonely.teams == [] and lonely.uncovered == ["a"]


def test_excluded_people_are_neither_experts_nor_connectors():
    g, skills = hub_graph()
    result = suggest_teams(g, skills, Task(skills=("a", "b", "c"), exclude=(3,)), algorithms=("steiner",))
    team = result.teams[0]
    assert 3 not in team.nodes
    assert sorted(team.nodes) == [0, 1, 2]  # joined directly, at cost 5 + 5
    assert team.steiner_cost == pytest.approx(10.0)


def test_must_include_joins_the_team_and_contradictions_are_reported():
    g = graph_from_edges(5, [(0, 1), (1, 2), (2, 3), (3, 4)])
    skills = {1: ["a"], 4: ["a"]}
    team = suggest_teams(g, skills, Task(skills=("a",), must_include=(3,)), algorithms=("steiner",)).teams[0]
    assert sorted(team.nodes) == [3, 4]  # the holder next to the must-include person
    assert {"kind": "required"} in next(m for m in team.members if m.node == 3).reasons
    clash = suggest_teams(g, skills, Task(skills=("a",), must_include=(3,), exclude=(3,)))
    assert "must_include_excluded" in clash.warnings
    assert all(3 not in t.nodes for t in clash.teams)


def test_load_balancing_moves_work_to_an_equally_good_colleague():
    # Two holders of "a", 0 and 2, both 1 away from 1 (who holds "b").
    g = graph_from_edges(3, [(0, 1), (1, 2)])
    skills = {0: ["a"], 2: ["a"], 1: ["b"]}
    task = Task(skills=("a", "b"), max_teams=1)
    first = suggest_teams(g, skills, task, algorithms=("steiner",)).teams[0]
    busy = [n for n in first.nodes if n != 1][0]
    other = 2 if busy == 0 else 0
    balanced = suggest_teams(g, skills, task, algorithms=("steiner",), load={busy: 5}).teams[0]
    assert sorted(balanced.nodes) == sorted([1, other])
    # measured without the penalty: the same cost as before
    assert balanced.steiner_cost == pytest.approx(first.steiner_cost)


def test_up_to_three_distinct_alternatives_best_first():
    g = graph_from_edges(6, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0)])
    skills = {i: ["a"] for i in (0, 2, 4)} | {i: ["b"] for i in (1, 3, 5)}
    result = suggest_teams(g, skills, Task(skills=("a", "b")))
    assert 1 <= len(result.teams) <= 3
    assert len({frozenset(t.nodes) for t in result.teams}) == len(result.teams)
    assert len(result.teams) == 3  # a ring of six offers three disjoint neighbour pairs
    costs = [t.steiner_cost for t in result.teams]
    assert costs == sorted(costs)


def test_size_bounds_grow_small_teams_and_flag_large_ones():
    g, skills = hub_graph()
    grown = suggest_teams(g, skills, Task(skills=("a",), min_size=2), algorithms=("steiner",)).teams[0]
    assert sorted(grown.nodes) == [0, 3]  # the nearest colleague joins
    assert {"kind": "extra"} in next(m for m in grown.members if m.node == 3).reasons
    large = suggest_teams(g, skills, Task(skills=("a", "b", "c"), max_size=2), algorithms=("steiner",))
    assert "too_large" in large.teams[0].warnings
    with pytest.raises(ValueError):
        suggest_teams(g, skills, Task(skills=("a",), min_size=3, max_size=2))
    with pytest.raises(ValueError):
        suggest_teams(g, skills, Task(skills=("a",)), algorithms=("magic",))


def test_skill_names_are_matched_without_case_or_extra_spaces():
    g, skills = hub_graph()
    team = suggest_teams(g, {0: ["Klimaat  Adaptatie"]}, Task(skills=("klimaat adaptatie",))).teams[0]
    assert team.nodes == [0]


def test_a_prepared_network_serves_many_requests():
    g, skills = hub_graph()
    net = Network(g, skills)
    assert suggest_teams(net, None, Task(skills=("a", "c"))).teams[0].coverage == 1.0
    assert suggest_teams(net, None, Task(skills=("b",))).teams[0].nodes == [1]


def test_steiner_tree_on_its_own():
    # A square 0-1-2-3 with a cheap centre 4: terminals 0 and 2 meet through 4 (1 + 1) not the rim (2 + 2).
    g = graph_from_edges(5, [(0, 1), (1, 2), (2, 3), (3, 0), (0, 4), (4, 2)], [2, 2, 2, 2, 1, 1])
    g = g.maximum(g.T).tocsr()
    nodes, edges = steiner_tree(g, [0, 2])
    assert sorted(nodes) == [0, 2, 4]
    assert sum(w for _, _, w in edges) == pytest.approx(2.0)
    assert steiner_tree(g, []) == ([], [])
    assert steiner_tree(g, [3]) == ([3], [])


def test_as_dict_is_json_friendly():
    g = graph_from_edges(4, [(0, 1), (2, 3)])
    data = suggest_teams(g, {0: ["a"], 3: ["b"]}, Task(skills=("a", "b"))).as_dict()
    best = data["teams"][0]
    assert best["diameter"] is None and best["connected"] is False
    assert isinstance(best["members"][0]["node"], int)
    assert np.isfinite(best["steiner_cost"])
