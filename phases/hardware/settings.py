"""Phase 8's data files (mixing, effects, playback defaults), loaded once."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from phases.data_files import parse_yaml

from .errors import HardwareError

DATA_DIR = Path(__file__).parent / "data"


@lru_cache(maxsize=8)
def load_data(name: str) -> dict[str, object]:
    path = DATA_DIR / f"{name}.yaml"
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HardwareError(f"{path.name}: cannot read ({type(exc).__name__}: {exc})") from None
    if not isinstance(data, dict):
        raise HardwareError(f"{path.name}: expected a mapping")
    return data


@dataclass(frozen=True)
class PlaybackSettings:
    """How the player runs. Defaults come from data/playback.yaml."""

    frames_per_second: float
    speed: float = 1.0  # show seconds per real second
    universe_offset: int = 0  # added to every fixture's rig universe (--universe N: N - 1)
    host: str = "127.0.0.1"
    port: int = 9010
    connect_timeout: float = 1.0
    call_timeout: float = 1.0
    blackout_retry_seconds: float = 0.75  # after a lost or stalled link: the fresh connection's blackout budget
    blackout_keep_trying_seconds: float = 30.0  # then, in the background, in case a stalled olad resumes
    spin_seconds: float = 0.001  # the last stretch before a frame is due is busy-waited, not slept

    @classmethod
    def defaults(cls, **overrides: object) -> "PlaybackSettings":
        data = load_data("playback")
        values: dict[str, object] = {
            "frames_per_second": float(data["frames_per_second"]),  # type: ignore[arg-type]
            "host": str(data["olad_host"]),
            "port": int(data["olad_port"]),  # type: ignore[call-overload]
            "connect_timeout": float(data["connect_timeout_seconds"]),  # type: ignore[arg-type]
            "call_timeout": float(data["call_timeout_seconds"]),  # type: ignore[arg-type]
            "blackout_retry_seconds": float(data["blackout_retry_seconds"]),  # type: ignore[arg-type]
            "blackout_keep_trying_seconds": float(data["blackout_keep_trying_seconds"]),  # type: ignore[arg-type]
            "spin_seconds": float(data["spin_seconds"]),  # type: ignore[arg-type]
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        if not 1 <= self.frames_per_second <= 1000:
            raise HardwareError(f"frames per second must lie within 1..1000, not {self.frames_per_second}")
        if not 0 < self.speed <= 10000:
            raise HardwareError(f"the DMX speed factor must lie within (0, 10000], not {self.speed}")
        if not 0 <= self.spin_seconds < 1 / self.frames_per_second:
            raise HardwareError("spin_seconds must be at least 0 and shorter than a frame")
        if self.connect_timeout <= 0 or self.call_timeout <= 0 or self.blackout_retry_seconds <= 0:
            raise HardwareError("timeouts must be positive")
