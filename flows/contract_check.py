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
    if checked.time_window != scene.time_window:
        raise ContractViolationError(f"{scene.scene_id}: phase 4 changed the time window")
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
