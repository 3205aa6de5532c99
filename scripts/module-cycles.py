#!/usr/bin/env python3
"""Lists import cycles between the modules of a crate.

Usage: scripts/module-cycles.py CRATE_SRC_DIR [DEPTH]

A module is a file or folder under the crate's `src/`, cut to DEPTH path
parts (default 1: the crate's top-level modules; 2 also splits their
children). An edge A -> B is a `crate::B...` path (in a `use` or in code)
or a `super::` path that resolves to B, found in A's code outside
comments; tests are counted too. Prints each strongly connected component of more than one
module, with the edges inside it, and exits 1 when there is one.
"""
import re
import sys
from pathlib import Path

root = Path(sys.argv[1])
depth = int(sys.argv[2]) if len(sys.argv) > 2 else 1


def module_of(path: Path) -> tuple:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def cut(parts: tuple) -> str:
    return "::".join(parts[:depth]) or "(crate root)"


known = {module_of(p) for p in root.rglob("*.rs")}
edges = {}
for path in root.rglob("*.rs"):
    own = module_of(path)
    # Comments (doc links included) name modules without importing them.
    source = re.sub(r"//[^\n]*", "", path.read_text())
    targets = set()
    for match in re.finditer(r"\bcrate::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)", source):
        targets.add(tuple(match.group(1).split("::")))
    for match in re.finditer(r"\b((?:super::)+)((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)?", source):
        ups = match.group(1).count("super::")
        base = own[: len(own) - ups] if path.stem not in ("mod", "lib") else own[: len(own) - ups]
        rest = tuple(match.group(2).split("::")) if match.group(2) else ()
        targets.add(base + rest)
    for target in targets:
        # The longest known module the path names.
        while target and target not in known:
            target = target[:-1]
        a, b = cut(own), cut(target)
        if a != b and target:
            edges.setdefault(a, set()).add(b)

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges.get(v, ()):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on.discard(w)
            component.append(w)
            if w == v:
                break
        sccs.append(component)


sys.setrecursionlimit(10000)
for v in list(edges):
    if v not in index:
        visit(v)
cycles = [sorted(c) for c in sccs if len(c) > 1]
for component in cycles:
    print(f"cycle: {', '.join(component)}")
    for a in component:
        for b in sorted(edges.get(a, ())):
            if b in component:
                print(f"  {a} -> {b}")
if not cycles:
    print(f"{root}: no cycle between modules at depth {depth}")
sys.exit(1 if cycles else 0)
