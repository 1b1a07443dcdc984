"""Phase 6's safety net: every Phase 4 output is checked against the contract and the rig."""

from pydantic import ValidationError

from phases.contracts import LightingInstruction, Rig, Scene
from phases.contracts.validation import field_error

from .errors import ContractViolationError


def check_instruction(instruction: object, scene: Scene, rig: Rig, colours: set[str]) -> LightingInstruction:
    if not isinstance(instruction, LightingInstruction):
        raise ContractViolationError(
            f"{scene.scene_id}: phase 4 returned {type(instruction).__name__}, not a LightingInstruction"
        )
    try:
        # Re-validate from plain data: model_construct or later mutation can bypass the model's checks.
        checked = LightingInstruction.model_validate(instruction.model_dump(mode="python", warnings=False))
    except ValidationError as exc:
        where, message = field_error(exc)
        raise ContractViolationError(f"{scene.scene_id}: phase 4 output breaks the contract at {where}: {message}") from None
    if checked.scene_id != scene.scene_id:
        raise ContractViolationError(f"{scene.scene_id}: phase 4 answered for {checked.scene_id}")
    window, own = scene.time_window, checked.time_window
    if own.start < window.start or own.end > window.end:
        raise ContractViolationError(f"{scene.scene_id}: cue {checked.cue_number:g} lies outside the scene's time window")
    known = set(rig.group_ids())
    ids = [g.group_id for g in checked.groups]
    unknown = sorted(set(ids) - known)
    if unknown:
        raise ContractViolationError(f"{scene.scene_id}: groups not in the rig: {', '.join(unknown)}")
    if len(set(ids)) != len(ids):
        raise ContractViolationError(f"{scene.scene_id}: a group appears twice")
    missing = sorted(known - set(ids))
    if missing:
        raise ContractViolationError(f"{scene.scene_id}: no instruction for groups {', '.join(missing)}")
    for group in checked.groups:
        if group.parameters.color not in colours:
            raise ContractViolationError(f"{scene.scene_id}: {group.group_id} uses unknown colour {group.parameters.color!r}")
    return checked


def check_cues(cues: object, scene: Scene, rig: Rig, colours: set[str]) -> list[LightingInstruction]:
    """A scene's cues: a non-empty list, each cue checked, in time order, starting with the scene."""
    if not isinstance(cues, list) or not cues:
        raise ContractViolationError(f"{scene.scene_id}: phase 4 returned {type(cues).__name__}, not a list of cues")
    checked = [check_instruction(cue, scene, rig, colours) for cue in cues]
    if checked[0].time_window.start != scene.time_window.start:
        raise ContractViolationError(f"{scene.scene_id}: the scene's first cue does not start with the scene")
    for before, after in zip(checked, checked[1:], strict=False):
        if after.time_window.start < before.time_window.start:
            raise ContractViolationError(f"{scene.scene_id}: cue {after.cue_number:g} goes before the cue ahead of it")
    return checked
