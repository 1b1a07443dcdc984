"""Pan and tilt that point a mover hung at one place on the stage at another (stage metres, degrees).

Axes as the rig's: x across the stage, y upstage (the audience at y < 0), z up. At pan and tilt centre (its
home) a hung head points straight down and a standing one straight up; tilt leans the beam off that axis
towards the way pan faces, and pan turns that way clockwise seen from above from `pan_home` (0: towards the
audience; `invert_pan` for a head that turns the other way). A head reaches a target two ways (pan half a
turn on, tilt the other side): the one nearer home that lies within its travel is used.
"""

import math
from dataclasses import dataclass

from phases.contracts import Mounting, Position


@dataclass(frozen=True)
class Travel:
    pan: float  # degrees of pan travel (the whole range)
    tilt: float

    def fractions(self, pan_degrees: float, tilt_degrees: float, mounting: Mounting | None) -> tuple[float, float]:
        """Degrees from home -> 0..1 of each range (0.5 is home), clamped to the travel."""
        if mounting is not None and mounting.invert_pan:
            pan_degrees = -pan_degrees
        if mounting is not None and mounting.invert_tilt:
            tilt_degrees = -tilt_degrees
        pan = 0.5 + pan_degrees / self.pan
        tilt = 0.5 + tilt_degrees / self.tilt
        return max(0.0, min(1.0, pan)), max(0.0, min(1.0, tilt))

    def degrees(self, pan: float, tilt: float) -> tuple[float, float]:
        """0..1 of each range -> degrees from home (before any inversion)."""
        return (pan - 0.5) * self.pan, (tilt - 0.5) * self.tilt


def _wrap(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


def aim(source: Position, target: Position, mounting: Mounting, travel: Travel) -> tuple[float, float, bool]:
    """(pan, tilt) in degrees from home that point `source` at `target`, and whether it lies within the travel."""
    dx, dy, dz = target.x - source.x, target.y - source.y, target.z - source.z
    across = math.hypot(dx, dy)
    along = -dz if mounting.orientation == "hung" else dz
    tilt = math.degrees(math.atan2(across, along))
    heading = math.degrees(math.atan2(dx, -dy)) if across > 1e-9 else mounting.pan_home
    pan = _wrap(heading - mounting.pan_home)
    options = [(pan, tilt), (_wrap(pan + 180.0), -tilt)]
    if travel.pan > 360:
        options += [(p + turn, t) for p, t in options for turn in (360.0, -360.0)]
    fits = [(p, t) for p, t in options if abs(p) <= travel.pan / 2 + 1e-9 and abs(t) <= travel.tilt / 2 + 1e-9]
    if fits:
        p, t = min(fits, key=lambda o: (abs(o[0]), abs(o[1])))
        return p, t, True
    p, t = min(options, key=lambda o: max(abs(o[0]) - travel.pan / 2, 0) + max(abs(o[1]) - travel.tilt / 2, 0))
    return p, t, False
