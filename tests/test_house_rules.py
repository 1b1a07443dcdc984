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
