"""Report the app-level import graph of esurety: cycles and imports against the layers.

Run: `PYTHONPATH=src .venv/bin/python scripts/import_graph.py` (add `-v` to list each import).
The layers are the ones the import-linter contract in pyproject.toml holds; this script only
counts, so that a before/after can be told in numbers.
"""

from __future__ import annotations

import collections
import itertools
import sys

import grimp

# Lowest first; apps on one line share a layer. Portals may not import each other.
LAYERS: list[set[str]] = [
    {"core"},
    {"audit", "notifications"},
    {"parties"},
    {"webhooks"},
    {"accounts", "guarantees", "advances", "claims", "integrations"},
    {"documents", "signing"},
    {"verification"},
    {"dashboards"},
    {"web"},
    {"contractor", "verify", "office", "bank", "api", "check", "demo"},
    {"config"},
]
PORTALS = LAYERS[-2]


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _module_cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    counter = itertools.count()

    def visit(root: str) -> None:
        # Iterative, so that deep import chains do not hit the recursion limit.
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = next(counter)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = next(counter)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        out.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return sorted(out, key=sorted)


def main() -> None:
    verbose = "-v" in sys.argv
    graph = grimp.build_graph("esurety")
    level = {app: i for i, layer in enumerate(LAYERS) for app in layer}
    edges: dict[tuple[str, str], list[tuple[str, str]]] = collections.defaultdict(list)
    for module in graph.modules:
        a = app_of(module)
        if a is None:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            b = app_of(imported)
            if b is not None and b != a:
                edges[(a, b)].append((module, imported))

    pairs = sorted({tuple(sorted(k)) for k in edges if (k[1], k[0]) in edges})
    print(f"app-level two-way pairs (cycles of length 2): {len(pairs)}")
    for a, b in pairs:
        print(f"  {a} <-> {b}")

    # Every elementary cycle is too many to list; the strongly connected components tell the tangle.
    apps = sorted({a for k in edges for a in k})
    reach = {a: {b for (x, b) in edges if x == a} for a in apps}
    changed = True
    while changed:
        changed = False
        for a in apps:
            new = set(reach[a])
            for b in reach[a]:
                new |= reach[b]
            if new != reach[a]:
                reach[a], changed = new, True
    sccs = {frozenset({a} | {b for b in reach[a] if a in reach[b]}) for a in apps if a in reach[a]}
    print(f"apps caught in cycles: {len({a for s in sccs for a in s})}; tangles (SCCs): {len(sccs)}")
    for s in sorted(sccs, key=sorted):
        print("  " + ", ".join(sorted(s)))

    # Module level, inside the apps too (a lazy import inside a function counts: it is a cycle all the same).
    module_sccs = _module_cycles(graph)
    print(f"module-level cycles (strongly connected groups of modules): {len(module_sccs)}")
    for group in module_sccs:
        print("  " + " <-> ".join(sorted(group)))

    upward = {k: v for k, v in edges.items() if level.get(k[1], -1) > level.get(k[0], -1)}
    sideways = {k: v for k, v in edges.items() if k[0] in PORTALS and k[1] in PORTALS}
    print(f"upward app imports: {len(upward)} app pairs, {sum(map(len, upward.values()))} module imports")
    print(f"portal-to-portal imports: {len(sideways)} app pairs, {sum(map(len, sideways.values()))} module imports")
    for k, v in itertools.chain(sorted(upward.items()), sorted(sideways.items())):
        print(f"  {k[0]} -> {k[1]} ({len(v)})")
        if verbose:
            for importer, imported in sorted(v):
                print(f"      {importer} -> {imported}")


if __name__ == "__main__":
    main()
