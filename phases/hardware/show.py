"""Phase 8 entry points: load a plan, build the renderer from the rig, play it or render it to a file."""

import json
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from phases.contracts import LightingInstruction
from phases.contracts.validation import field_error
from phases.rig.profiles import load_profiles

from .dry_run import render_to_file
from .errors import HardwareError
from .ola_link import OlaLink
from .player import ShowPlayer
from .renderer import ShowRenderer
from .settings import PlaybackSettings

PLAN_FILE = "lighting_instructions.json"


def load_plan(directory: Path) -> list[LightingInstruction]:
    """The plan an earlier run wrote to DIR/lighting_instructions.json, validated."""
    path = directory / PLAN_FILE
    if not directory.is_dir():
        raise HardwareError(f"{directory}: not a directory")
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HardwareError(f"{path}: not found (run `cueflow run SCRIPT --out {directory}` first)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HardwareError(f"{path}: cannot read ({type(exc).__name__})") from None
    try:
        json.loads(raw)
        plan = TypeAdapter(list[LightingInstruction]).validate_json(raw)
    except json.JSONDecodeError as exc:
        raise HardwareError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    except ValidationError as exc:
        where, message = field_error(exc)
        raise HardwareError(f"{path}: not a lighting plan: field {where}: {message}") from None
    if not plan:
        raise HardwareError(f"{path}: the plan is empty")
    return plan


def build_renderer(plan: list[LightingInstruction], settings: PlaybackSettings, rig: str | Path | None = None) -> ShowRenderer:
    """Check the rig's patch and the plan's colours, then render. Raises HardwareError before anything is sent.

    rig: a rig file (YAML or QLC+ workspace); its channel layouts come from its fixture definitions.
    """
    from phases.knowledge import KnowledgeError, load_knowledge  # retrieval's imports are slow: only when needed
    from phases.rig import RigError, load_rig

    try:
        kb = load_knowledge(rig=rig)
        profiles = load_rig(rig).profiles if rig is not None else load_profiles()
    except (KnowledgeError, RigError) as exc:
        raise HardwareError(str(exc)) from None
    return ShowRenderer(plan, kb.rig, kb.colours, profiles, settings.universe_offset)


def run_show(
    plan: list[LightingInstruction],
    settings: PlaybackSettings,
    dry_run: Path | None = None,
    player_ready: object = None,
    rig: str | Path | None = None,
) -> dict[str, float]:
    """Play the plan once through olad, or render it to `dry_run`. Returns figures for the phase result.

    `player_ready`, when given, is called with the ShowPlayer before playback so a caller can stop it.
    """
    if dry_run is not None:
        return render_to_file(build_renderer(plan, settings, rig), settings, dry_run)
    # Connect first: olad not running is reported at once, before the rig and colours are loaded.
    link = OlaLink(settings.host, settings.port, settings.connect_timeout, settings.call_timeout)
    try:
        renderer = build_renderer(plan, settings, rig)
    except BaseException:
        link.close()
        raise
    player = ShowPlayer(renderer, settings, connect=lambda _settings: link)
    if callable(player_ready):
        player_ready(player)
    stats = player.play()
    return stats.summary()
