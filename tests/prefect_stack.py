"""A real Prefect server (started with `cueflow server`) and `cueflow serve`, each on a free loopback port, started
and stopped by the tests. Nothing is mocked. A private PostgreSQL cluster comes from deployments/postgres_cluster.py."""

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from deployments.postgres_cluster import PostgresCluster, data_folder, free_port

ROOT = Path(__file__).resolve().parent.parent
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _stop(process: subprocess.Popen[bytes] | None, timeout: float = 20) -> None:
    """Stop a process started in its own session, with its children (by its process group id)."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


@dataclass
class PrefectStack:
    """A Prefect server with its own home, and the environment other processes use to reach it."""

    base: Path
    database_url: str | None = None
    port: int = field(default_factory=free_port)
    server: subprocess.Popen[bytes] | None = None
    serve_process: subprocess.Popen[bytes] | None = None
    auth_string: str | None = None  # basic auth (user:password): the server requires it, clients send it
    extra_env: dict[str, str] = field(default_factory=dict)
    AUTH_VAR = "CUEFLOW_TEST_SERVER_AUTH"  # the server reads its credential from here (--auth-string-env)
    server_args: list[str] = field(default_factory=list)  # more `cueflow server` options, e.g. ["--sqlite"]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def env(self, api: bool = True) -> dict[str, str]:
        from flows.environment import EPHEMERAL_DEFAULTS

        # Importing flows in this test process set the laptop defaults (no logs to the API...) in os.environ: a served
        # run must not inherit them, or it would not send its logs to the server it runs for.
        env = {k: v for k, v in os.environ.items() if not (k in EPHEMERAL_DEFAULTS and v == EPHEMERAL_DEFAULTS[k])}
        env["CUEFLOW_HOME"] = str(self.base / "home")
        env["PREFECT_HOME"] = str(self.base / "home" / "prefect")
        for key in ("PREFECT_API_URL", "CUEFLOW_INPUT_ROOTS", "CUEFLOW_OUTPUT_ROOT"):
            env.pop(key, None)
        env.pop("PREFECT_API_AUTH_STRING", None)
        env.update(self.extra_env)
        if self.auth_string:
            env[self.AUTH_VAR] = self.auth_string
        if api:
            env["PREFECT_API_URL"] = self.api_url
            if self.auth_string:
                env["PREFECT_API_AUTH_STRING"] = self.auth_string
        return env

    def cueflow(self, *args: str, api: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flows.cli", *args],
            env=self.env(api),
            cwd=self.base,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def prefect(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """The real `prefect` CLI of this venv, pointed at this server."""
        prefect = Path(sys.executable).parent / "prefect"
        return subprocess.run(
            [str(prefect), *args], env=self.env(), cwd=self.base, capture_output=True, text=True, timeout=timeout
        )

    def start(self, timeout: float = 120) -> None:
        args = [sys.executable, "-m", "flows.cli", "server", "--port", str(self.port)]
        if self.database_url:
            args += ["--database-url", self.database_url]
        if self.auth_string:
            args += ["--auth-string-env", self.AUTH_VAR]
        args += self.server_args
        log = (self.base / "server.log").open("wb")
        self.server = subprocess.Popen(
            args, env=self.env(api=False), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                pytest.fail(f"`cueflow server` exited with {self.server.returncode}:\n{_tail(self.base / 'server.log')}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"the Prefect server did not answer within {timeout}s:\n{_tail(self.base / 'server.log')}")

    def serve(self, *args: str) -> None:
        """`cueflow serve` in the background; its runs read scripts under base/in and write under base/out."""
        log = (self.base / "serve.log").open("wb")
        command = [
            sys.executable,
            "-m",
            "flows.cli",
            "serve",
            "--input-root",
            str(self.inputs),
            "--output-root",
            str(self.outputs),
        ]
        self.serve_process = subprocess.Popen(
            [*command, *args], env=self.env(), cwd=self.base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_for_deployments(self, *names: str, timeout: float = 90) -> None:
        """Until `cueflow serve` has registered the deployments (it does so as it starts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.deployment(name) for name in names):
                return
            if self.serve_process is not None and self.serve_process.poll() is not None:
                pytest.fail(f"`cueflow serve` exited with {self.serve_process.returncode}:\n{_tail(self.base / 'serve.log')}")
            time.sleep(0.5)
        pytest.fail(f"{', '.join(names)} not registered within {timeout}s:\n{_tail(self.base / 'serve.log')}")

    @property
    def inputs(self) -> Path:
        (self.base / "in").mkdir(exist_ok=True)
        return self.base / "in"

    @property
    def outputs(self) -> Path:
        (self.base / "out").mkdir(exist_ok=True)
        return self.base / "out"

    def stop(self) -> None:
        _stop(self.serve_process)
        _stop(self.server)

    def private_cluster(self) -> "PostgresCluster":
        """The private PostgreSQL cluster `cueflow server` keeps for this stack's home (its default database)."""
        return PostgresCluster.persistent(self.base / "home" / "server" / "postgres")

    def remove(self) -> None:
        """Stop everything and delete the stack's folders, the private cluster's data included (as root it lives in
        /var/tmp, outside the stack's folder)."""
        self.stop()
        shutil.rmtree(data_folder(self.base / "home" / "server" / "postgres"), ignore_errors=True)
        shutil.rmtree(self.base, ignore_errors=True)

    # --- reading the server's records through its REST API ---

    def _call(self, method: str, path: str, body: dict[str, object] | None = None, auth: bool = True) -> httpx.Response:
        # On SQLite the server answers 503 while the database is locked; Prefect's own client retries those too.
        credentials = httpx.BasicAuth(*self.auth_string.split(":", 1)) if auth and self.auth_string else None
        for _ in range(20):
            response = httpx.request(method, f"{self.api_url}{path}", json=body, timeout=30, auth=credentials)
            if response.status_code != 503:
                return response
            time.sleep(1)
        return response

    def get(self, path: str) -> httpx.Response:
        return self._call("GET", path)

    def post(self, path: str, body: dict[str, object]) -> httpx.Response:
        return self._call("POST", path, body)

    def deployment(self, name: str) -> dict[str, object] | None:
        response = self.get(f"/deployments/name/{name}")
        return None if response.status_code == 404 else response.raise_for_status().json()

    def wait_for_run(self, run_id: str, timeout: float = 240) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get(f"/flow_runs/{run_id}").raise_for_status().json()
            if run["state"] and run["state"]["type"] in TERMINAL:
                return run
            if self.serve_process is not None and self.serve_process.poll() is not None:
                pytest.fail(f"`cueflow serve` exited with {self.serve_process.returncode}:\n{_tail(self.base / 'serve.log')}")
            time.sleep(0.5)
        pytest.fail(f"flow run {run_id} did not finish within {timeout}s:\n{_tail(self.base / 'serve.log')}")

    def child_runs(self, run_id: str) -> list[dict[str, object]]:
        body = {"flow_runs": {"parent_flow_run_id": {"any_": [run_id]}}, "limit": 200}
        return self.post("/flow_runs/filter", body).raise_for_status().json()

    def artifacts(self, run_id: str) -> list[dict[str, object]]:
        return self.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run_id]}}}).raise_for_status().json()

    def create_run(self, deployment: str, **parameters: object) -> str:
        """Trigger a deployment through the REST API, as the UI's Run button does; returns the flow run id."""
        found = self.deployment(deployment)
        if found is None:
            pytest.fail(f"deployment {deployment} is not registered")
        response = self.post(f"/deployments/{found['id']}/create_flow_run", {"parameters": parameters})
        return response.raise_for_status().json()["id"]

    def trigger(self, deployment: str, *params: str, watch: bool = False) -> tuple[str, subprocess.CompletedProcess[str]]:
        """`prefect deployment run DEPLOYMENT -p k=v ...`; returns the flow run id and the finished command."""
        args = ["deployment", "run", deployment]
        for param in params:
            args += ["-p", param]
        if watch:
            args += ["--watch", "--watch-timeout", "240"]
        done = self.prefect(*args)
        run_id = next((line.split("UUID:")[1].strip() for line in done.stdout.splitlines() if "UUID:" in line), None)
        if run_id is None:
            pytest.fail(f"`prefect {' '.join(args)}` created no run (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
        return run_id, done
