"""The architecture, checked: one folder per part, imports in one direction, no circles (issue 15).

    core/         pure: imports nothing outside core/ (the standard library and numpy only)
    io/           the world behind small interfaces: core/ and io/
    monitor/      the background use      \
    calibration/  the wizard use           } core/ and io/, never each other
    report/       the report use           }  (one exception: the demo shows the report)
    admin/        the housekeeping commands/
    cli.py        argument parsing; hands each command to its part by name

Every import counts: at the top of a module, inside a function, under `if TYPE_CHECKING:`, and a
string that names a module (`"posture_watch.monitor.runner:cmd_run"`, importlib tables).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "posture_watch"
PARTS = ("core", "io", "monitor", "calibration", "report", "admin")
USES = ("monitor", "calibration", "report", "admin")
# the demo replays the sample session through the monitor and then shows that day's report
ALLOWED_BETWEEN_USES = {("posture_watch.monitor.demo", "posture_watch.report.command")}
ROOT = "posture_watch"  # the package itself: only its __version__
MODULE_NAME = re.compile(r"^posture_watch(\.\w+)+(:\w+)?$")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> tuple[set[str], set[str]]:
    """(posture_watch modules, other top-level packages) that the module at `path` imports anywhere."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    ours: set[str] = set()
    theirs: set[str] = set()

    def ours_or_theirs(module: str, names: list[str]) -> None:
        if module.split(".")[0] != "posture_watch":
            theirs.add(module.split(".")[0])
            return
        for n in names:  # `from posture_watch.core import geometry` imports the module core.geometry
            ours.add(f"{module}.{n}" if f"{module}.{n}" in MODULES else module)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                ours_or_theirs(alias.name, [""])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            ours_or_theirs(module, [a.name for a in node.names])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_NAME.match(node.value):
            module = node.value.split(":")[0]
            while module not in MODULES and "." in module:  # "posture_watch.x.Class" -> the module x
                module = module.rpartition(".")[0]
            ours.add(module)
    ours.discard(name)
    return {m.rstrip(".") for m in ours}, theirs


GRAPH = {name: _imports(name, path)[0] for name, path in MODULES.items()}
THIRD_PARTY = {name: _imports(name, path)[1] for name, path in MODULES.items()}


def part_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in PARTS else None


def test_the_scan_sees_every_kind_of_import():
    """Not vacuous: a top-level import, a `from package import module`, a lazy import in a function and a
    handler named in a string are all found."""
    assert len(MODULES) > 60 and set(PARTS) <= {part_of(m) for m in MODULES}
    assert "posture_watch.core.deviation" in GRAPH["posture_watch.core.judge"]
    assert "posture_watch.core.geometry" in GRAPH["posture_watch.core.deviation"]   # from core import geometry as g
    assert "posture_watch.io.models" in GRAPH["posture_watch.monitor.analyze"]      # inside cmd_analyze
    assert "posture_watch.monitor.runner" in GRAPH["posture_watch.cli"]             # the handler table
    assert "posture_watch.core.monitor_config" in GRAPH["posture_watch.io.config"]  # config's section table


def _in(*parts: str) -> list[str]:
    return sorted(m for m in MODULES if part_of(m) in parts)


def test_core_imports_only_core():
    wrong = {}
    for module in _in("core"):
        outside = sorted(m for m in GRAPH[module] if part_of(m) != "core" and m != "posture_watch.core")
        foreign = sorted(THIRD_PARTY[module] - set(sys.stdlib_module_names) - {"numpy", "__future__"})
        if outside or foreign:
            wrong[module] = outside + foreign
    assert not wrong, f"core is pure (core/, the standard library and numpy only), but: {wrong}"


def test_io_imports_only_core_and_io():
    wrong = {module: sorted(m for m in GRAPH[module] if part_of(m) not in ("core", "io") and m != ROOT)
             for module in _in("io")}
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"the world's edges never call a use, but: {wrong}"


def test_the_uses_meet_only_in_core_and_io():
    wrong = {}
    for module in _in(*USES):
        mine = part_of(module)
        crossing = sorted(m for m in GRAPH[module]
                          if part_of(m) not in ("core", "io", mine) and m != ROOT and (module, m) not in ALLOWED_BETWEEN_USES)
        if crossing:
            wrong[module] = crossing
    assert not wrong, f"monitor, calibration, report and admin share only through core/ and io/, but: {wrong}"


def test_the_command_line_only_parses_and_hands_over():
    """cli.py's own imports are the version and the user errors; every command is named, not imported."""
    top = ast.parse(MODULES["posture_watch.cli"].read_text(encoding="utf-8"))
    imported = {node.module for node in top.body if isinstance(node, ast.ImportFrom)}
    assert {m for m in imported if m and m.startswith("posture_watch")} <= {"posture_watch", "posture_watch.core.errors"}


def test_no_import_circles():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan: every strongly connected group of more than one module is a circle
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v] & MODULES.keys()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(MODULES):
        if module not in index:
            visit(module)
    assert not circles, f"import circles: {circles}"


def test_each_folder_says_what_it_is_and_imports_nothing():
    for part in PARTS:
        tree = ast.parse((PACKAGE / part / "__init__.py").read_text(encoding="utf-8"))
        assert "May import" in (ast.get_docstring(tree) or ""), f"{part}/__init__.py must say what the part may import"
        assert not [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], \
            f"{part}/__init__.py imports: importing one module of a part must not load the whole part"
