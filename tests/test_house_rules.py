"""The house rules that code review tends to miss, checked on every run."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_phases_never_import_prefect_or_flows():
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / "phases").rglob("*.py") if _imports(p) & {"prefect", "flows", "deployments"}
    ]
    assert offenders == []


def test_contracts_import_only_pydantic():
    allowed = {"pydantic", "typing", "re", "json", "math", "argparse", "sys", "pathlib", "phases"}
    for path in (ROOT / "phases" / "contracts").rglob("*.py"):
        assert _imports(path) <= allowed, path


def _module_imports(package_root: Path) -> dict[str, set[str]]:
    """module -> the flows/deployments modules it imports, at module level or inside functions (lazy imports too)."""
    graph: dict[str, set[str]] = {}
    for path in [*package_root.joinpath("flows").glob("*.py"), *package_root.joinpath("deployments").glob("*.py")]:
        package = path.parent.name
        module = f"{package}.{path.stem}" if path.stem != "__init__" else package
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from . import x / from .x import y
                    base = f"{package}.{base}" if base else package
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            found |= {t for t in targets if t.split(".")[0] in ("flows", "deployments") and t != module}
        graph[module] = found
    return {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}


def test_no_import_cycles_between_cueflow_modules():
    """No module imports one that imports it back, not even lazily inside a function (package __init__s aside)."""
    graph = _module_imports(ROOT)
    graph = {m: {t for t in targets if t not in ("flows", "deployments")} for m, targets in graph.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(t == goal or (t not in seen and reaches(t, goal, seen | {t})) for t in graph.get(start, ()))

    cycles = sorted(m for m in graph if reaches(m, m, {m}))
    assert not cycles, f"import cycles through: {cycles}"


def _phase_packages() -> dict[str, set[str]]:
    """phases package -> the phases packages it imports, at module level or inside functions."""
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "phases").rglob("*.py"):
        parts = path.relative_to(ROOT / "phases").parts
        package = parts[0] if len(parts) > 1 else path.stem
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("phases."):
                targets = [node.module.split(".")[1]]  # type: ignore[union-attr]
            elif isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                targets = [node.module.split(".")[0]]
            elif isinstance(node, ast.Import):
                targets = [a.name.split(".")[1] for a in node.names if a.name.startswith("phases.")]
            else:
                continue
            graph.setdefault(package, set()).update(t for t in targets if t != package)
    return graph


def test_no_import_cycles_between_phases():
    """The rig owns its data (the bundled rig, profiles): rig imports neither knowledge nor hardware, lazily or not."""
    graph = _phase_packages()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(t == goal or (t not in seen and reaches(t, goal, seen | {t})) for t in graph.get(start, ()))

    shared = {p.stem for p in (ROOT / "phases").glob("*.py")} - {"__init__"}  # file helpers every phase may use
    assert graph["rig"] <= {"contracts"} | shared, graph["rig"] - shared
    assert sorted(m for m in graph if reaches(m, m, {m})) == []
