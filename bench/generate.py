"""Deterministic synthetic stage plays for scaling benchmarks (the words come from a fixed vocabulary)."""

import random
from pathlib import Path

_PLACES = [
    "A heath",
    "A room in the palace",
    "A street",
    "The castle walls",
    "A forest",
    "A dark cave",
    "The banquet hall",
    "A battlefield",
    "The harbour at night",
    "A garden",
]
_DIRECTIONS = [
    "Enter two soldiers.",
    "Thunder and lightning.",
    "Exit.",
    "A torch is carried across the stage.",
    "Lights fade.",
    "Flourish.",
    "Enter the king and attendants.",
    "Alarums.",
    "Spot on the queen.",
    "Blackout.",
]
_WORDS = (
    "fear night blood crown love joy grief storm hope dark king queen sword heart light death dream sleep fire "
    "battle peace honour betray whisper laugh weep rain sea stars moon dawn cold warm gold silver proud lost"
).split()
_SPEAKERS = ["KING", "QUEEN", "CAPTAIN", "FOOL", "GHOST", "MESSENGER", "LADY", "DUKE"]


def play_text(scenes: int, seed: int = 7, lines_per_scene: int = 24) -> str:
    rng = random.Random(seed)
    out = [f"A GENERATED PLAY OF {scenes} SCENES", ""]
    for index in range(scenes):
        if index % 6 == 0:
            out += [f"ACT {index // 6 + 1}.", ""]
        out += [f"SCENE {index % 6 + 1}. {rng.choice(_PLACES)}.", "", f"[{rng.choice(_DIRECTIONS)}]", ""]
        for _ in range(lines_per_scene // 4):
            out.append(f"{rng.choice(_SPEAKERS)}.")
            for _ in range(3):
                out.append(" ".join(rng.choice(_WORDS) for _ in range(8)).capitalize() + ".")
            out.append("")
        out += [f"[{rng.choice(_DIRECTIONS)}]", ""]
    return "\n".join(out)


def write_play(path: Path, scenes: int, seed: int = 7) -> Path:
    path.write_text(play_text(scenes, seed))
    return path
