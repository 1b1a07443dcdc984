"""The standard acting areas (data/stage.yaml): where movers point when a rig names no focus points."""

from functools import lru_cache

from phases.contracts import Position

from .xml_files import load_data


@lru_cache(maxsize=1)
def _areas() -> tuple[tuple[str, Position], ...]:
    return tuple((name, Position(**point)) for name, point in load_data("stage")["areas"].items())  # type: ignore[attr-defined]


def standard_areas() -> dict[str, Position]:
    return dict(_areas())


def hung_above() -> float:
    return float(load_data("stage")["hung_above"])  # type: ignore[arg-type]
