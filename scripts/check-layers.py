#!/usr/bin/env python3
"""Checks the shape of the Rust tree (run by scripts/test.sh; exits 1 naming every breach):

- no import circle between the server's modules (each .rs file is a module; `use crate::…`,
  `crate::…` paths and `super::…` count as imports; a module's own children do not);
- the crates point one way: core imports neither store nor server, store never imports the server;
- no source file over 500 lines (tests under tests/ and benches excepted);
- the HTTP layer does not speak the store's protocol: no `.pool()` and no `sqlx::Error` in the
  server crate (writes go through `repere_store::unit::Unit`);
- a collection is chosen through `collection::Collection`: no string match arm on a collection id
  (`"practices" =>` …) anywhere in the server outside `collection.rs`.

Usage: python3 scripts/check-layers.py [repository root]
"""

import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
MAX_LINES = 500
COLLECTION_IDS = ("practices", "establishments", "sites", "links")


def rust_files(folder):
    for dirpath, _, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(".rs"):
                yield os.path.join(dirpath, name)


def without_tests(source):
    """The source up to its `#[cfg(test)] mod tests` block (tests may import anything), comments out."""
    code = re.split(r"#\[cfg\(test\)\]\s*mod tests\b", source, maxsplit=1)[0]
    return re.sub(r"//[^\n]*", "", code)


def module_of(src_dir, path):
    rel = os.path.relpath(path, src_dir)[:-3]
    parts = rel.split(os.sep)
    if parts[-1] == "mod":
        parts = parts[:-1]
    return "::".join(parts)


def split_group(body):
    """Items of a `{…}` use group, nested groups kept whole."""
    items, depth, current = [], 0, ""
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return [i.strip() for i in items if i.strip()]


def expand(prefix, body):
    out = []
    for item in split_group(body):
        nested = re.match(r"^([\w:]*?)::\{(.*)\}$", item, re.S)
        if nested:
            out += expand(f"{prefix}::{nested.group(1)}" if prefix else nested.group(1), nested.group(2))
        else:
            out.append(f"{prefix}::{item}" if prefix else item)
    return out


def imports(module, source):
    paths = set()
    for m in re.finditer(r"crate::\{((?:[^{}]|\{[^{}]*\})*)\}", source):
        paths.update(expand("", m.group(1)))
    paths.update(m.group(1) for m in re.finditer(r"crate::([A-Za-z_][\w:]*)", source))
    parent = module.rsplit("::", 1)[0] if "::" in module else ""
    for m in re.finditer(r"\bsuper::([A-Za-z_][\w:]*)", source):
        paths.add(f"{parent}::{m.group(1)}" if parent else m.group(1))
    return {p.split(" as ")[0].strip(":") for p in paths}


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def server_graph(src_dir):
    files = {module_of(src_dir, p): p for p in rust_files(src_dir)}
    files = {m: p for m, p in files.items() if m not in ("main", "lib")}

    def resolve(path):
        parts = path.split("::")
        while parts:
            name = "::".join(parts)
            if name in files:
                return name
            parts = parts[:-1]
        return None

    graph = {}
    for module, path in files.items():
        source = without_tests(open(path, encoding="utf-8").read())
        targets = set()
        for p in imports(module, source):
            target = resolve(p)
            if target and target != module and not target.startswith(module + "::"):
                targets.add(target)
        graph[module] = targets
    return graph


def main():
    problems = []
    backend = os.path.join(ROOT, "backend")
    server_src = os.path.join(backend, "server", "src")

    for component in cycles(server_graph(server_src)):
        problems.append("import circle between server modules: " + " ↔ ".join(component))

    forbidden = {"core": ("repere_store", "repere_server", "repere_catalog"), "store": ("repere_server", "repere_catalog"), "catalog": ("repere_server",)}
    for crate, names in forbidden.items():
        folder = os.path.join(backend, crate)
        if not os.path.isdir(folder):
            continue
        manifest = open(os.path.join(folder, "Cargo.toml"), encoding="utf-8").read()
        for name in names:
            if re.search(rf"^{name.replace('_', '[-_]')}\b", manifest, re.M):
                problems.append(f"backend/{crate}/Cargo.toml depends on {name}")
        for path in rust_files(os.path.join(folder, "src")):
            source = without_tests(open(path, encoding="utf-8").read())
            for name in names:
                if re.search(rf"\b{name}::", source):
                    problems.append(f"{os.path.relpath(path, ROOT)} imports {name}")

    for crate in sorted(os.listdir(backend)):
        for path in rust_files(os.path.join(backend, crate, "src")):
            n = sum(1 for _ in open(path, encoding="utf-8"))
            if n > MAX_LINES:
                problems.append(f"{os.path.relpath(path, ROOT)}: {n} lines (at most {MAX_LINES})")

    arm = re.compile(r'"(%s)"\s*(\|[^=]*)?=>' % "|".join(COLLECTION_IDS))
    for path in rust_files(server_src):
        rel = os.path.relpath(path, ROOT)
        source = without_tests(open(path, encoding="utf-8").read())
        if re.search(r"\.pool\(\)", source):
            problems.append(f"{rel} calls the store's pool (go through repere_store::unit or a store function)")
        if "sqlx::Error" in source:
            problems.append(f"{rel} matches sqlx::Error (map it to a StoreError inside the store)")
        if os.path.basename(path) != "collection.rs" and arm.search(source):
            problems.append(f"{rel} chooses a collection by string (use collection::Collection)")

    for p in problems:
        print("check-layers:", p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("check-layers: no import circle, crates point one way, files ≤ 500 lines, no store protocol in the server")


if __name__ == "__main__":
    main()
