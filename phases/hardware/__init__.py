"""Phase 8: play the lighting plan to DMX through OLA (profiles, patch, renderer, player, dry run)."""

from phases.rig.profiles import FixtureProfile, load_profiles

from .dry_run import read_frames, render_to_file
from .errors import HardwareError, PatchError, PlaybackError, ProfileError
from .ola_link import OlaLink, olad_problem
from .patch import PatchedFixture, patch_rig
from .player import PlaybackStats, ShowPlayer
from .renderer import FixtureState, ShowRenderer
from .settings import PlaybackSettings
from .show import build_renderer, load_plan, run_show

__all__ = [
    "FixtureProfile",
    "FixtureState",
    "HardwareError",
    "OlaLink",
    "PatchError",
    "PatchedFixture",
    "PlaybackError",
    "PlaybackSettings",
    "PlaybackStats",
    "ProfileError",
    "ShowPlayer",
    "ShowRenderer",
    "build_renderer",
    "load_plan",
    "load_profiles",
    "olad_problem",
    "patch_rig",
    "read_frames",
    "render_to_file",
    "run_show",
]
