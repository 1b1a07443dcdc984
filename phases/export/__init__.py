"""Export a finished plan: USITT ASCII cues, a QLC+ workspace, and the stage manager's cue sheet (CSV, HTML)."""

from .cue_list import ConsoleCue, ConsoleShow, console_show
from .errors import ExportError
from .levels import FixtureLook, channel_numbers, fixture_looks
from .plan_files import Plan, load_plan, load_rig_file
from .rig_record import RIG_PATCH_FILE, read_rig_record, rig_for_plan, rig_record
from .usitt_reader import AsciiCue, AsciiFile, AsciiFormatError, read_ascii
from .writing import FORMATS, export_plan, render, write_files

__all__ = [
    "FORMATS",
    "RIG_PATCH_FILE",
    "AsciiCue",
    "AsciiFile",
    "AsciiFormatError",
    "ConsoleCue",
    "ConsoleShow",
    "ExportError",
    "FixtureLook",
    "Plan",
    "channel_numbers",
    "console_show",
    "export_plan",
    "fixture_looks",
    "load_plan",
    "load_rig_file",
    "read_rig_record",
    "read_ascii",
    "render",
    "rig_for_plan",
    "rig_record",
    "write_files",
]
