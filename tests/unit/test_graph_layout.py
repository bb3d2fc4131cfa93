"""The communications graph's layout and what it shows: the busiest, their mail both ways, placed apart."""

from __future__ import annotations

import math
import statistics

from reviewer.core.casebuild.graph_layout import busiest, force_layout


def test_busiest_nodes_and_lines_both_ways() -> None:
    pairs = [(1, 2, 5), (2, 1, 3), (1, 3, 1), (4, 1, 1), (3, 3, 9)]
    shown, volume, lines = busiest(pairs, top=3)
    assert shown == [1, 3, 2]  # 1 and 3 have ten each (3 wrote to itself nine times): the lower id first
    assert volume == {1: 10, 2: 8, 3: 10, 4: 1}
    assert lines == [(1, 2, 8), (1, 3, 1)]  # among the shown, each pair once, no loop


def test_two_groups_are_drawn_apart_and_nobody_overlaps() -> None:
    nodes = list(range(20))
    edges = [(a, b, 10.0) for group in (range(10), range(10, 20)) for a in group for b in group if a < b]
    placed = force_layout(nodes, edges)
    assert placed == force_layout(nodes, edges)  # the same picture every time
    assert all(-1.0001 <= x <= 1.0001 and -1.0001 <= y <= 1.0001 for x, y in placed.values())
    within = statistics.mean(math.dist(placed[a], placed[b]) for a in range(10) for b in range(10) if a < b)
    between = statistics.mean(math.dist(placed[a], placed[b]) for a in range(10) for b in range(10, 20))
    assert between > 2 * within
    assert min(math.dist(placed[a], placed[b]) for a in nodes for b in nodes if a < b) > 0.05


def test_small_graphs() -> None:
    assert force_layout([], []) == {}
    assert force_layout([7], []) == {7: (0.0, 0.0)}
    assert len(force_layout([1, 2, 3], [(1, 2, 1.0)])) == 3
