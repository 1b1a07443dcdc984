"""What a user waits for: `cueflow run` as a whole process beside Prefect's floor for the same shape (bench/floor.py).

`python -m bench.laptop [--rounds 3] [--only warm,fresh,resident,resident-pg,slope]` runs, in paired rounds (the order
alternating), each pair as two whole processes timed from spawn to exit:
- warm: `cueflow run` of Macbeth and the floor with as many scenes, each with its own home used before;
- fresh: the same, each in a new home (the first run on a machine: Prefect's database does not exist yet);
- resident: both against one `cueflow server --sqlite` (cueflow finds it itself; the floor is given its URL);
- resident-pg: the same against `cueflow server` on its private PostgreSQL (its default where PostgreSQL is installed);
- slope: generated plays of 25 and 200 scenes on a warm home: the seconds per added scene of each.
It prints each figure's medians, the median of the paired ratios and the machine's load (1-minute average, at
the start and the end of each part). The figures are whole-process walls, so the machine's noise is in them:
compare ratios, not seconds. `--baseline DIR` adds another checkout of cueflow (say, main's) to every round, run
as `python -m flows.cli` from DIR, for before/after figures taken under the same load.
"""

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import write_play
from flows.environment import EPHEMERAL_DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
MACBETH = ROOT.parent / "shared" / "data" / "scripts" / "plays" / "macbeth.txt"
CUEFLOW = Path(sys.executable).parent / "cueflow"
PARTS = ("warm", "fresh", "resident", "resident-pg", "slope")


def _clean_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without what importing flows set in it, with its own cueflow home."""
    env = {k: v for k, v in os.environ.items() if not (k in EPHEMERAL_DEFAULTS and v == EPHEMERAL_DEFAULTS[k])}
    for key in ("PREFECT_HOME", "PREFECT_API_URL", "PREFECT_API_AUTH_STRING"):
        env.pop(key, None)
    env["CUEFLOW_HOME"] = str(home)
    env.update(extra or {})
    return env


_last_cpu = [0.0]  # CPU seconds (user + system) of the last timed process and the children it waited for


def _timed(command: list[str], env: dict[str, str], what: str, cwd: Path = ROOT) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"bench: {what} exited {done.returncode}:\n{done.stderr[-3000:]}")
    _last_cpu[0] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall


def _cueflow(script: Path, out: Path, env: dict[str, str], checkout: Path | None = None) -> float:
    """`cueflow run` as a user types it; from another checkout (the baseline) through `python -m flows.cli`."""
    if checkout is None:
        return _timed([str(CUEFLOW), "run", str(script), "--out", str(out)], env, f"cueflow run {script.name}")
    # From the checkout's folder: `python -m` puts the working folder first on sys.path, ahead of PYTHONPATH.
    command = [sys.executable, "-m", "flows.cli", "run", str(script), "--out", str(out)]
    return _timed(command, {**env, "PYTHONPATH": str(checkout)}, f"baseline run {script.name}", cwd=checkout)


def _check_baseline(checkout: Path) -> None:
    """Fail unless `python -m flows.cli` from the checkout runs the checkout's code (not this one's)."""
    probe = [sys.executable, "-c", "import flows; print(flows.__file__)"]
    done = subprocess.run(probe, env={**os.environ, "PYTHONPATH": str(checkout)}, cwd=checkout, capture_output=True, text=True)
    if not done.stdout.strip().startswith(str(checkout)):
        raise SystemExit(f"bench: the baseline would run {done.stdout.strip() or done.stderr.strip()}, not {checkout}")


def _floor(scenes: int, name: str, env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "bench.floor", "--scenes", str(scenes), "--name", name]
    return _timed(command, env, "the floor")


def _scenes(script: Path) -> int:
    from phases.parsing import parse_file

    return len(parse_file(script).scenes)


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


class Pairs:
    """Whole-process walls of cueflow, the floor and (optionally) the baseline, taken in the same rounds."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.walls: dict[str, list[float]] = {"cueflow": [], "floor": [], "baseline": []}
        self.cpus: dict[str, list[float]] = {"cueflow": [], "floor": [], "baseline": []}
        self.loads = [_load()]

    def add(self, round_: int, runs: dict[str, Callable[[], float]]) -> None:
        order = list(runs)
        for who in order[round_ % len(order) :] + order[: round_ % len(order)]:  # a different one goes first each round
            self.walls[who].append(runs[who]())
            self.cpus[who].append(_last_cpu[0])
        shown = ", ".join(f"{who} {self.walls[who][-1]:.2f} s" for who in runs)
        print(f"  {self.label} round {round_ + 1}: {shown}", flush=True)

    def ratios(self, who: str) -> list[float]:
        return [c / f for c, f in zip(self.walls[who], self.walls["floor"], strict=True)]

    def row(self) -> str:
        self.loads.append(_load())
        ratios = self.ratios("cueflow")
        line = (
            f"{self.label:<26}{statistics.median(self.walls['cueflow']):>9.2f}{statistics.median(self.walls['floor']):>9.2f}"
            f"{statistics.median(ratios):>8.2f}{min(ratios):>7.2f}-{max(ratios):<6.2f}{len(ratios):>4}"
        )
        if self.walls["baseline"]:
            line += f"{statistics.median(self.walls['baseline']):>10.2f}{statistics.median(self.ratios('baseline')):>8.2f}"
        else:
            line += " " * 18
        return line + f"   {' -> '.join(self.loads)}"


HEADER = f"{'figure':<26}{'cueflow':>9}{'floor':>9}{'ratio':>8}{'range':>14}{'n':>4}{'baseline':>10}{'ratio':>8}   load"


def warm(rounds: int, tmp: Path, script: Path, baseline: Path | None) -> Pairs:
    scenes = _scenes(script)
    homes = {who: tmp / f"warm-{who}" for who in ("cueflow", "floor", "baseline")}
    runs = {
        "cueflow": lambda: _cueflow(script, tmp / "out", _clean_env(homes["cueflow"])),
        "floor": lambda: _floor(scenes, script.name, _clean_env(homes["floor"])),
    }
    if baseline is not None:
        runs["baseline"] = lambda: _cueflow(script, tmp / "out", _clean_env(homes["baseline"]), baseline)
    for run in runs.values():
        run()  # each home's database exists before the timed runs
    pairs = Pairs(f"{script.stem} warm")
    for i in range(rounds):
        pairs.add(i, runs)
    return pairs


def fresh(rounds: int, tmp: Path, script: Path, baseline: Path | None) -> Pairs:
    scenes = _scenes(script)

    def new_home() -> dict[str, str]:
        return _clean_env(Path(tempfile.mkdtemp(prefix="home-", dir=tmp)))

    runs = {
        "cueflow": lambda: _cueflow(script, tmp / "out", new_home()),
        "floor": lambda: _floor(scenes, script.name, new_home()),
    }
    if baseline is not None:
        runs["baseline"] = lambda: _cueflow(script, tmp / "out", new_home(), baseline)
    pairs = Pairs(f"{script.stem} fresh home")
    for i in range(rounds):
        pairs.add(i, runs)
    return pairs


def slope(rounds: int, tmp: Path, baseline: Path | None) -> Pairs:
    """Seconds per added scene between generated plays of 25 and 200 scenes, on warm homes."""
    small, large = write_play(tmp / "generated_25.txt", 25), write_play(tmp / "generated_200.txt", 200)
    sizes = {small: _scenes(small), large: _scenes(large)}
    homes = {who: tmp / f"slope-{who}" for who in ("cueflow", "floor", "baseline")}

    def runs_for(script: Path) -> dict[str, Callable[[], float]]:
        runs = {
            "cueflow": lambda: _cueflow(script, tmp / "out", _clean_env(homes["cueflow"])),
            "floor": lambda: _floor(sizes[script], script.name, _clean_env(homes["floor"])),
        }
        if baseline is not None:
            runs["baseline"] = lambda: _cueflow(script, tmp / "out", _clean_env(homes["baseline"]), baseline)
        return runs

    for run in runs_for(small).values():
        run()
    pairs = Pairs("slope ms per scene")
    walls = {script: Pairs(script.stem) for script in (small, large)}
    for i in range(rounds):
        for script in (small, large):
            walls[script].add(i, runs_for(script))
        for who in walls[large].walls:
            if walls[large].walls[who]:
                added = 1000 * (walls[large].walls[who][-1] - walls[small].walls[who][-1])
                pairs.walls[who].append(added / (sizes[large] - sizes[small]))
    return pairs


def resident(rounds: int, tmp: Path, script: Path, baseline: Path | None, database: str = "sqlite") -> Pairs:
    """Both against one `cueflow server` (on `database`): cueflow finds it by itself; the floor and the baseline
    (which could not) are given its URL."""
    from deployments.postgres_cluster import free_port

    scenes = _scenes(script)
    home = tmp / f"resident-{database}"
    port = free_port()
    env = _clean_env(home)
    log_path = tmp / f"server-{database}.log"
    log = log_path.open("wb")
    chosen = ["--sqlite"] if database == "sqlite" else []
    server = subprocess.Popen(
        [str(CUEFLOW), "server", *chosen, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        api = _wait_for_server(server, port, log_path)
        told = {**env, **_resident_client(home, api)}
        # The client settings `cueflow run` has on that server (flows/environment.py: its laptop defaults).
        lean = {key: EPHEMERAL_DEFAULTS[key] for key in ("PREFECT_LOGGING_TO_API_ENABLED", "PREFECT_LOGGING_LEVEL")}
        runs = {
            "cueflow": lambda: _cueflow(script, tmp / "out", env if _finds_resident() else told),
            "floor": lambda: _floor(scenes, script.name, {**told, **lean}),
        }
        if baseline is not None:
            runs["baseline"] = lambda: _cueflow(script, tmp / "out", told, baseline)
        for run in runs.values():
            run()
        pairs = Pairs(f"{script.stem} resident {database}")
        for i in range(rounds):
            pairs.add(i, runs)
        return pairs
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        text = log_path.read_text(errors="replace")
        print(f"  the resident server answered 503 {text.count('Encountered retryable exception')} times", flush=True)


def _finds_resident() -> bool:
    return importlib.util.find_spec("flows.resident") is not None


def _resident_client(home: Path, api: str) -> dict[str, str]:
    """How a client reaches the resident server when told: its URL and, when it has one, the credential."""
    if not _finds_resident():
        return {"PREFECT_API_URL": api}
    from flows.resident import find_resident

    os.environ["CUEFLOW_HOME"] = str(home)
    found = find_resident()
    if found is None:
        raise SystemExit("bench: `cueflow server` left no record a run can find")
    told = {"PREFECT_API_URL": found.api_url, "CUEFLOW_PREFECT_SERVER": f"local-{found.database}"}
    return told | ({"PREFECT_API_AUTH_STRING": found.credential} if found.credential else {})


def _wait_for_server(server: "subprocess.Popen[bytes]", port: int, log: Path) -> str:
    import httpx

    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: `cueflow server` exited {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return api
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("bench: `cueflow server` did not answer within 180 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per figure; medians are reported")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    parser.add_argument("--script", type=Path, default=MACBETH, help="the play (default: Macbeth)")
    parser.add_argument("--baseline", type=Path, help="another checkout of cueflow to measure in the same rounds")
    args = parser.parse_args(argv)
    parts = args.only.split(",")
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    baseline = args.baseline.resolve() if args.baseline else None
    if baseline is not None:
        _check_baseline(baseline)
    os.environ["PREFECT_API_LOG_RETRYABLE_ERRORS"] = "true"  # the resident server logs each 503 it answers
    tmp = Path(tempfile.mkdtemp(prefix="cueflow-laptop-"))
    rows = []
    try:
        print(f"whole processes, {args.rounds} rounds each; load {_load()} on {os.cpu_count()} cores", flush=True)
        figures: dict[str, Pairs] = {}
        for part in PARTS:
            if part not in parts:
                continue
            if part == "slope":
                figures[part] = slope(args.rounds, tmp, baseline)
            elif part == "resident-pg":
                figures[part] = resident(args.rounds, tmp, args.script, baseline, "postgresql")
            else:
                measure = {"warm": warm, "fresh": fresh, "resident": resident}[part]
                figures[part] = measure(args.rounds, tmp, args.script, baseline)
            rows.append(figures[part].row())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(HEADER)
    print("\n".join(rows))
    print("CPU seconds (user + system) of each process with the server it started, medians:")
    for name, pairs in figures.items():
        shown = ", ".join(f"{who} {statistics.median(cpu):.1f}" for who, cpu in pairs.cpus.items() if cpu)
        print(f"  {name}: {shown}")
    for part in ("resident", "resident-pg"):
        if part not in figures or "warm" not in figures:
            continue
        resident_wall = statistics.median(figures[part].walls["cueflow"])
        for who in ("cueflow", "baseline"):
            if figures["warm"].walls[who]:
                warm_wall = statistics.median(figures["warm"].walls[who])
                print(f"{figures[part].label} / {who} warm: {resident_wall / warm_wall:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
