import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

# A fresh Prefect home per test session, set before anything imports prefect (flows/ does on import).
_HOME = Path(tempfile.mkdtemp(prefix="cueflow-test-home-"))
os.environ["CUEFLOW_HOME"] = str(_HOME)
os.environ.pop("PREFECT_API_URL", None)
os.environ["PREFECT_HOME"] = str(_HOME / "prefect")

import pytest  # noqa: E402

if TYPE_CHECKING:
    from phases.decision import LightingDecisionEngine
    from phases.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
PLAYS = SHARED / "scripts" / "plays"
EXAMPLE = ROOT / "examples" / "the_keepers_light.txt"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared test data is missing: {SHARED} (CI puts ../shared beside the clone)")
    return SHARED


@pytest.fixture(scope="session")
def macbeth(shared_data: Path) -> Path:
    return shared_data / "scripts" / "plays" / "macbeth.txt"


@pytest.fixture(scope="session")
def kb() -> "KnowledgeBase":
    """The bundled knowledge, loaded once for every test that plans."""
    from phases.knowledge import load_knowledge

    return load_knowledge()


@pytest.fixture(scope="session")
def engine(kb: "KnowledgeBase") -> "LightingDecisionEngine":
    """The rules-mode decision engine on the bundled knowledge."""
    from phases.decision import LightingDecisionEngine

    return LightingDecisionEngine(kb=kb)
