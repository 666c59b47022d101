"""The apps of ``src/arrears`` import each other along a DAG: no import cycle between apps,
counting every import — at the top of a module or inside a function — and nothing imports
the demo (it sits on top of everything). A failure names the cycle and the imports in it.

Management commands are entry points Django loads by name and no module imports; like
``/work/shared/tools/app_cycles.py`` the scan leaves them out, so a command may call the
night's step services from the app it belongs to.
"""

import ast
from collections import defaultdict
from pathlib import Path

import arrears

ROOT = Path(arrears.__file__).parent
TOP = "demo"


def _apps(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


def app_imports(root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """app → imported app → ["file:line", ...] for every ``arrears.<app>`` import."""
    apps = _apps(root)
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if parts[0] not in apps or "migrations" in parts or "management" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                bits = name.split(".")
                if len(bits) > 1 and bits[0] == root.name and bits[1] in apps \
                        and bits[1] != parts[0]:
                    where = f"{'/'.join(parts)}:{node.lineno}"
                    if where not in edges[parts[0]][bits[1]]:
                        edges[parts[0]][bits[1]].append(where)
    return edges


def cycles(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def test_the_app_import_graph_has_no_cycle():
    edges = app_imports()
    found = cycles(edges)
    lines = []
    for component in found:
        lines.append("cycle: " + " ".join(component))
        for a in component:
            for b in component:
                if b in edges.get(a, {}):
                    lines.append(f"  {a} -> {b}: {', '.join(edges[a][b][:3])}")
    assert not found, "\n".join(lines)


def test_nothing_imports_the_demo():
    edges = app_imports()
    users = {a: ws[TOP] for a, ws in edges.items() if TOP in ws}
    assert not users, users


def test_the_scan_sees_imports_inside_functions(tmp_path):
    # The checker itself can fail: a lazy import that closes a cycle is found.
    root = tmp_path / "arrears"
    for app in ("low", "high"):
        (root / app).mkdir(parents=True)
        (root / app / "__init__.py").write_text("")
    (root / "high" / "views.py").write_text("from arrears.low.models import Thing\n")
    (root / "low" / "models.py").write_text(
        "def later():\n    from arrears.high import views\n    return views\n")
    assert cycles(app_imports(root)) == [["high", "low"]]


def test_no_import_of_another_app_hides_inside_a_function():
    # Only an AppConfig.ready() may import another app late (Django's registries need the
    # app registry ready); anywhere else a late import would only hide a dependency.
    apps = _apps(ROOT)
    hidden = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] not in apps or "migrations" in parts or "management" in parts \
                or parts[-1] == "apps.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    bits = node.module.split(".")
                    if bits[0] == "arrears" and len(bits) > 1 and bits[1] in apps \
                            and bits[1] != parts[0]:
                        hidden.append(f"{'/'.join(parts)}:{node.lineno} {node.module}")
    assert not hidden, hidden
