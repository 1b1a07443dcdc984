"""What a user waits for: `cueflow run` as a whole process beside Prefect's floor for the same shape (bench/floor.py).

`python -m bench.laptop [--rounds 5] [--only warm,fresh,resident,slope]` runs, in paired rounds (the order
alternating), each pair as two whole processes timed from spawn to exit:
- warm: `cueflow run` of Macbeth and the floor with as many scenes, each with its own home used before;
- fresh: the same, each in a new home (the first run on a machine: Prefect's database does not exist yet);
- resident: both against one `cueflow server --sqlite` (cueflow finds it itself; the floor is given its URL);
- slope: generated plays of 25 and 200 scenes on a warm home: the seconds per added scene of each.
It prints each figure's medians, the median of the paired ratios and the machine's load (1-minute average, at
the start and the end of each part). The figures are whole-process walls, so the machine's noise is in them:
compare ratios, not seconds.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import write_play
from flows.environment import EPHEMERAL_DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
MACBETH = ROOT.parent / "shared" / "data" / "scripts" / "plays" / "macbeth.txt"
CUEFLOW = Path(sys.executable).parent / "cueflow"
PARTS = ("warm", "fresh", "resident", "slope")


def _clean_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without what importing flows set in it, with its own cueflow home."""
    env = {k: v for k, v in os.environ.items() if not (k in EPHEMERAL_DEFAULTS and v == EPHEMERAL_DEFAULTS[k])}
    for key in ("PREFECT_HOME", "PREFECT_API_URL", "PREFECT_API_AUTH_STRING"):
        env.pop(key, None)
    env["CUEFLOW_HOME"] = str(home)
    env.update(extra or {})
    return env


def _timed(command: list[str], env: dict[str, str], what: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: {what} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return wall


def _cueflow(script: Path, out: Path, env: dict[str, str]) -> float:
    return _timed([str(CUEFLOW), "run", str(script), "--out", str(out)], env, f"cueflow run {script.name}")


def _floor(scenes: int, name: str, env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "bench.floor", "--scenes", str(scenes), "--name", name]
    return _timed(command, env, "the floor")


def _scenes(script: Path) -> int:
    from phases.parsing import parse_file

    return len(parse_file(script).scenes)


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


class Pairs:
    """Paired whole-process walls of cueflow and the floor."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.cueflow: list[float] = []
        self.floor: list[float] = []
        self.loads = [_load()]

    def add(self, round_: int, run_cueflow, run_floor) -> None:  # type: ignore[no-untyped-def]
        first, second = (run_cueflow, run_floor) if round_ % 2 == 0 else (run_floor, run_cueflow)
        a, b = first(), second()
        c, f = (a, b) if round_ % 2 == 0 else (b, a)
        self.cueflow.append(c)
        self.floor.append(f)
        print(f"  {self.label} round {round_ + 1}: cueflow {c:.2f} s, floor {f:.2f} s, ratio {c / f:.2f}", flush=True)

    def row(self) -> str:
        self.loads.append(_load())
        ratios = [c / f for c, f in zip(self.cueflow, self.floor, strict=True)]
        return (
            f"{self.label:<26}{statistics.median(self.cueflow):>9.2f}{statistics.median(self.floor):>9.2f}"
            f"{statistics.median(ratios):>8.2f}{min(ratios):>7.2f}-{max(ratios):<6.2f}{len(ratios):>4}"
            f"   {' -> '.join(self.loads)}"
        )


HEADER = f"{'figure':<26}{'cueflow':>9}{'floor':>9}{'ratio':>8}{'range':>14}{'n':>4}   load"


def warm(rounds: int, tmp: Path, script: Path) -> str:
    scenes = _scenes(script)
    homes = tmp / "warm-cueflow", tmp / "warm-floor"
    out = tmp / "out"
    _cueflow(script, out, _clean_env(homes[0]))  # each home's database exists before the timed runs
    _floor(scenes, script.name, _clean_env(homes[1]))
    pairs = Pairs(f"{script.stem} warm")
    for i in range(rounds):
        pairs.add(
            i, lambda: _cueflow(script, out, _clean_env(homes[0])), lambda: _floor(scenes, script.name, _clean_env(homes[1]))
        )
    return pairs.row()


def fresh(rounds: int, tmp: Path, script: Path) -> str:
    scenes = _scenes(script)
    pairs = Pairs(f"{script.stem} fresh home")

    def new_home() -> Path:
        return Path(tempfile.mkdtemp(prefix="home-", dir=tmp))

    for i in range(rounds):
        pairs.add(
            i,
            lambda: _cueflow(script, tmp / "out", _clean_env(new_home())),
            lambda: _floor(scenes, script.name, _clean_env(new_home())),
        )
    return pairs.row()


def slope(rounds: int, tmp: Path) -> str:
    small, large = write_play(tmp / "generated_25.txt", 25), write_play(tmp / "generated_200.txt", 200)
    sizes = {small: _scenes(small), large: _scenes(large)}
    homes = tmp / "slope-cueflow", tmp / "slope-floor"
    _cueflow(small, tmp / "out", _clean_env(homes[0]))
    _floor(sizes[small], small.name, _clean_env(homes[1]))
    walls: dict[tuple[str, Path], list[float]] = {}
    pairs = Pairs("slope per scene, ms")
    for i in range(rounds):
        for script in (small, large):
            for who in ("cueflow", "floor") if i % 2 == 0 else ("floor", "cueflow"):
                if who == "cueflow":
                    wall = _cueflow(script, tmp / "out", _clean_env(homes[0]))
                else:
                    wall = _floor(sizes[script], script.name, _clean_env(homes[1]))
                walls.setdefault((who, script), []).append(wall)
        added = sizes[large] - sizes[small]
        c = 1000 * (walls[("cueflow", large)][-1] - walls[("cueflow", small)][-1]) / added
        f = 1000 * (walls[("floor", large)][-1] - walls[("floor", small)][-1]) / added
        pairs.cueflow.append(c)
        pairs.floor.append(f)
        print(f"  slope round {i + 1}: cueflow {c:.0f} ms/scene, floor {f:.0f} ms/scene, ratio {c / f:.2f}", flush=True)
    return pairs.row()


def resident(rounds: int, tmp: Path, script: Path) -> str:
    from deployments.postgres_cluster import free_port

    scenes = _scenes(script)
    home = tmp / "resident"
    port = free_port()
    env = _clean_env(home)
    log = (tmp / "server.log").open("wb")
    server = subprocess.Popen(
        [str(CUEFLOW), "server", "--sqlite", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        api = _wait_for_server(server, port, tmp / "server.log")
        client = {**env, **_resident_client(home, api)}
        _cueflow(script, tmp / "out", client)
        _floor(scenes, script.name, client)
        pairs = Pairs(f"{script.stem} resident server")
        for i in range(rounds):
            pairs.add(i, lambda: _cueflow(script, tmp / "out", client), lambda: _floor(scenes, script.name, client))
        return pairs.row()
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def _resident_client(home: Path, api: str) -> dict[str, str]:
    """How a client reaches the resident server: what `cueflow run` finds by itself, given to the floor explicitly."""
    try:
        from flows.resident import find_resident
    except ImportError:  # before `cueflow run` found a resident server by itself, it was told like the floor
        return {"PREFECT_API_URL": api}
    os.environ["CUEFLOW_HOME"] = str(home)
    found = find_resident()
    if found is None:
        raise SystemExit("bench: `cueflow server` left no record a run can find")
    return {"PREFECT_API_URL": found.api_url, "PREFECT_API_AUTH_STRING": found.credential}


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
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds per figure; medians are reported")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    parser.add_argument("--script", type=Path, default=MACBETH, help="the play (default: Macbeth)")
    args = parser.parse_args(argv)
    parts = args.only.split(",")
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    tmp = Path(tempfile.mkdtemp(prefix="cueflow-laptop-"))
    rows = []
    try:
        print(f"whole processes, {args.rounds} paired rounds each; load {_load()} on {os.cpu_count()} cores", flush=True)
        if "warm" in parts:
            rows.append(warm(args.rounds, tmp, args.script))
        if "fresh" in parts:
            rows.append(fresh(args.rounds, tmp, args.script))
        if "resident" in parts:
            rows.append(resident(args.rounds, tmp, args.script))
        if "slope" in parts:
            rows.append(slope(args.rounds, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(HEADER)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
