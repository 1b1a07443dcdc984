"""A warm first run: a fresh cueflow home starts from a migrated Prefect database built at set-up.

On a new home the ephemeral server spent 5 s creating its SQLite database (Prefect's migrations and its start-up
writes) before the first run could begin. `make setup` runs `python -m flows.template_db`, which starts that
server once in a scratch home, stops it cleanly and keeps the database as a template in the venv
(`share/cueflow/prefect-<version>.db`, outside git). `cueflow run` copies it into a home that has no database yet
(and `cueflow server --sqlite` into its folder) when the template's Prefect version is the one installed;
otherwise (Prefect upgraded since the set-up, or no template) Prefect creates and migrates the database itself, as
before. Prefect checks the migrations at every start either way.
"""

import os
import re
import shutil
import sqlite3
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path

DATABASE_URL_VARS = ("PREFECT_API_DATABASE_CONNECTION_URL", "PREFECT_SERVER_DATABASE_CONNECTION_URL")
BUILD_TIMEOUT = 600.0  # seconds: migrations on a loaded machine


def prefect_version() -> str | None:
    """The installed Prefect's version, read from its build record without importing it (or importlib.metadata,
    0.2 s: this runs before the server can start)."""
    spec = find_spec("prefect")
    if spec is not None and spec.submodule_search_locations:
        build_info = Path(next(iter(spec.submodule_search_locations))) / "_build_info.py"
        try:
            found = re.search(r'^__version__ = "([^"]+)"', build_info.read_text(), re.MULTILINE)
        except OSError:
            found = None
        if found:
            return found.group(1)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("prefect")
    except PackageNotFoundError:
        return None


def template_path(prefect: str | None = None) -> Path:
    return Path(sys.prefix) / "share" / "cueflow" / f"prefect-{prefect or prefect_version()}.db"


def seed_database(target: Path | None = None) -> bool:
    """Copy the template to `target` (default: $PREFECT_HOME/prefect.db, unless the user chose a database) when
    there is no database there yet; True when it did."""
    if target is None:
        if any(os.environ.get(var) for var in DATABASE_URL_VARS):
            return False  # a database the user chose
        target = Path(os.environ.get("PREFECT_HOME", "")).expanduser() / "prefect.db"
    home = target.parent
    prefect = prefect_version()
    if not home.is_dir() or target.exists() or prefect is None:
        return False
    template = template_path(prefect)
    if not template.is_file():
        return False
    partial = home / f".{target.name}.{os.getpid()}.partial"
    try:
        shutil.copyfile(template, partial)
        partial.chmod(0o600)  # it will hold every run's parameters
        os.link(partial, target)  # never over a database another run created meanwhile
        return True
    except OSError:
        return False
    finally:
        partial.unlink(missing_ok=True)


def build(target: Path, timeout: float = BUILD_TIMEOUT) -> Path:
    """Start the ephemeral server in a scratch home, let it migrate and stop cleanly, and keep its database."""
    from .environment import EPHEMERAL_DEFAULTS, SERVER_DEFAULTS
    from .server_guard import EPHEMERAL_SERVER_ENV, EphemeralServer

    with tempfile.TemporaryDirectory(prefix="cueflow-template-") as scratch:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") or k in EPHEMERAL_DEFAULTS}
        environment.update({**SERVER_DEFAULTS, **EPHEMERAL_DEFAULTS, **EPHEMERAL_SERVER_ENV, "PREFECT_HOME": scratch})
        server = EphemeralServer(environment)
        try:
            server.wait_until_ready(timeout)
        finally:
            server.stop()
            if server.process is not None:
                server.process.wait(timeout=60)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with sqlite3.connect(Path(scratch) / "prefect.db") as connection:
            connection.execute("VACUUM INTO ?", (str(partial),))  # one self-contained file, whatever the journal mode
        connection.close()
        partial.replace(target)
    return target


def main() -> int:
    target = template_path()
    if target.is_file():
        print(f"cueflow: the Prefect database template is there: {target}", file=sys.stderr)
        return 0
    build(target)
    print(f"cueflow: built the Prefect database template {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
