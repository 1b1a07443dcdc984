"""Write phases/emotion/data/label_baseline.yaml: each label's mean share over every window of the shared plays.

Play text leans on a few labels whatever happens (archaic words of grief, anger and love are everywhere), so the
beat reader divides each label's score by its usual share (to the power `baseline_power` in classifier.yaml):
a label wins a beat when it stands out from how plays usually read. No labels are used to make it.

Run: .venv/bin/python -m bench.emotion_baseline
"""

from pathlib import Path
from statistics import mean

import yaml

from phases.emotion.beats import BASELINE_FILE, window_scores
from phases.parsing import parse_file

PLAYS = Path("/work/shared/data/scripts/plays")


def main() -> dict[str, float]:
    rows: list[dict[str, float]] = []
    names = sorted(PLAYS.glob("*.txt"))
    for path in names:
        for scene in parse_file(path).scenes:
            rows.extend(window_scores(scene.text)[0])
    baseline = {label: round(mean(r[label] for r in rows), 4) for label in sorted(rows[0])}
    header = (
        "# Each label's mean share over every beat window of the eight plays in shared/data/scripts/plays\n"
        f"# ({len(rows)} windows), written by bench/emotion_baseline.py. The beat reader divides by it (see beats.py).\n"
    )
    BASELINE_FILE.write_text(header + yaml.safe_dump(baseline, sort_keys=True), encoding="utf-8")
    print(f"{len(rows)} windows from {len(names)} plays -> {BASELINE_FILE}")
    return baseline


if __name__ == "__main__":
    main()
