"""Where to draw each person (or organisation) of a communications graph: a force-directed layout
(Fruchterman and Reingold, 1991) in plain Python, for the few hundred busiest nodes a view shows.

Linked nodes pull together, weighted by how much mail passes between them; every node pushes its close
neighbours away, counted only within a grid cell and its neighbours (the paper's grid variant), so one
step costs about n rather than n²; a weak pull to the centre keeps separate groups in sight. The result is
deterministic for the same input, and scaled to the square -1…1. It takes up to a second for 300 nodes:
run it off the GUI thread.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)
_GRAVITY = 0.05


def force_layout(nodes: Sequence[Node], edges: Sequence[tuple[Node, Node, float]],
                 iterations: int | None = None, seed: int = 7) -> dict[Node, tuple[float, float]]:
    """Positions in -1…1 for `nodes`, given weighted `edges` (a, b, messages) between them."""
    count = len(nodes)
    if count == 0:
        return {}
    if count == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {node: number for number, node in enumerate(nodes)}
    links = [(index[a], index[b], weight) for a, b, weight in edges if a in index and b in index and a != b]
    heaviest = max((weight for _a, _b, weight in links), default=1.0)
    degree = [0] * count
    for a, b, _weight in links:
        degree[a] += 1
        degree[b] += 1
    # A hub's many links each pull less, or every hub would swallow its neighbourhood into one point.
    pulls = [(a, b, (0.3 + math.log1p(weight) / math.log1p(heaviest)) / math.sqrt(degree[a] * degree[b]))
             for a, b, weight in links]
    rng = random.Random(seed)
    # Start on a circle in the given order (busiest first, usually), jittered: no two nodes coincide.
    xs = [math.cos(2 * math.pi * i / count) * 0.5 + rng.uniform(-0.05, 0.05) for i in range(count)]
    ys = [math.sin(2 * math.pi * i / count) * 0.5 + rng.uniform(-0.05, 0.05) for i in range(count)]
    k = math.sqrt(1.0 / count)
    reach = 2 * k
    steps = iterations if iterations is not None else 120 if count <= 50 else 80 if count <= 150 else 50
    temperature = 0.1
    cooling = temperature / (steps + 1)
    for _step in range(steps):
        dx = [0.0] * count
        dy = [0.0] * count
        _repel(xs, ys, dx, dy, k, reach)
        for a, b, weight in pulls:
            ex, ey = xs[a] - xs[b], ys[a] - ys[b]
            distance = math.hypot(ex, ey) or 1e-9
            force = distance * weight / k
            fx, fy = ex / distance * force, ey / distance * force
            dx[a] -= fx
            dy[a] -= fy
            dx[b] += fx
            dy[b] += fy
        for i in range(count):
            gx, gy = dx[i] - xs[i] * _GRAVITY / k, dy[i] - ys[i] * _GRAVITY / k
            length = math.hypot(gx, gy)
            if length > 0:
                step = min(length, temperature)
                xs[i] += gx / length * step
                ys[i] += gy / length * step
        temperature -= cooling
    return _scaled(nodes, xs, ys)


def _repel(xs: list[float], ys: list[float], dx: list[float], dy: list[float], k: float,
           reach: float) -> None:
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        cells[(math.floor(x / reach), math.floor(y / reach))].append(i)
    near, k2 = reach * reach, k * k
    for (cx, cy), members in cells.items():
        # Each pair of cells once: this cell with itself and with four of its eight neighbours.
        for other in ((cx, cy), (cx + 1, cy - 1), (cx + 1, cy), (cx + 1, cy + 1), (cx, cy + 1)):
            others = cells.get(other)
            if not others:
                continue
            same = other == (cx, cy)
            for position, i in enumerate(members):
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for j in (members[position + 1:] if same else others):
                    ex, ey = xi - xs[j], yi - ys[j]
                    squared = ex * ex + ey * ey
                    if squared >= near:
                        continue
                    if squared < 1e-12:
                        ex, ey, squared = 1e-6 * (i - j), 1e-6, 1e-12
                    force = k2 / squared
                    fx += ex * force
                    fy += ey * force
                    dx[j] -= ex * force
                    dy[j] -= ey * force
                dx[i] += fx
                dy[i] += fy


def _scaled(nodes: Sequence[Node], xs: list[float], ys: list[float]) -> dict[Node, tuple[float, float]]:
    low_x, high_x, low_y, high_y = min(xs), max(xs), min(ys), max(ys)
    span = max(high_x - low_x, high_y - low_y) or 1.0
    middle_x, middle_y = (low_x + high_x) / 2, (low_y + high_y) / 2
    return {node: (2 * (x - middle_x) / span, 2 * (y - middle_y) / span)
            for node, x, y in zip(nodes, xs, ys, strict=True)}


def busiest(pairs: Iterable[tuple[int, int, int]], top: int) -> tuple[list[int], dict[int, int],
                                                                      list[tuple[int, int, int]]]:
    """What a graph of `pairs` (from, to, messages) shows: the `top` nodes with the most mail sent and
    received (busiest first), every node's volume, and the lines among the shown nodes, each pair's mail
    both ways added up: (a, b, messages) with a < b."""
    volume: dict[int, int] = defaultdict(int)
    both_ways: dict[tuple[int, int], int] = defaultdict(int)
    for sender, recipient, messages in pairs:
        volume[sender] += messages
        if recipient != sender:
            volume[recipient] += messages
        both_ways[(min(sender, recipient), max(sender, recipient))] += messages
    shown = sorted(volume, key=lambda node: (-volume[node], node))[:top]
    kept = set(shown)
    lines = [(a, b, messages) for (a, b), messages in sorted(both_ways.items())
             if a in kept and b in kept and a != b]
    return shown, dict(volume), lines
