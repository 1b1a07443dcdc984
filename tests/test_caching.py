"""Work that is not new is not redone: per-scene tasks come back from Prefect's cache on a re-run."""

import json
import shutil

import pytest

from flows import PipelineConfig, run
from flows.caching import fingerprint
from phases.knowledge import DATA_DIR

from .conftest import EXAMPLE

pytestmark = pytest.mark.prefect


def test_a_rerun_of_an_unchanged_script_skips_per_scene_work(tmp_path):
    script = tmp_path / "cached_play.txt"
    script.write_text(EXAMPLE.read_text().replace("Gull Rock", "Gull Rock (cache test)"))  # a scene no test ran yet
    first = run(script, PipelineConfig(output_dir=str(tmp_path / "first"), cache_scene_work=True))
    second = run(script, PipelineConfig(output_dir=str(tmp_path / "second"), cache_scene_work=True))
    assert first.success and second.success
    per_scene = [p for p in first.phases if p.scene_id]
    assert per_scene and not any(p.data.get("cached") for p in per_scene)
    rerun = [p for p in second.phases if p.scene_id]
    assert len(rerun) == len(per_scene) and all(p.data.get("cached") is True and p.duration == 0 for p in rerun)
    assert json.loads((tmp_path / "first" / "lighting_instructions.json").read_text()) == json.loads(
        (tmp_path / "second" / "lighting_instructions.json").read_text()
    )
    third = run(script, PipelineConfig(output_dir=str(tmp_path / "third"), genre="comedy", cache_scene_work=True))
    assert not any(p.data.get("cached") for p in third.phases if p.phase == 3), "a config change must miss the cache"


def test_the_cache_is_on_by_default_only_in_llm_mode():
    # Rules-mode phases take about 2 ms a scene; a cache hit costs Prefect more than that (make bench, "cached s").
    assert PipelineConfig().caches_scene_work is False
    assert PipelineConfig(use_llm=True).caches_scene_work is True
    assert PipelineConfig(cache_scene_work=True).caches_scene_work is True
    assert PipelineConfig(use_llm=True, cache_scene_work=False).caches_scene_work is False


def test_a_knowledge_change_changes_the_fingerprint(tmp_path):
    copy = tmp_path / "knowledge"
    shutil.copytree(DATA_DIR, copy)
    before = fingerprint(copy)
    rules = copy / "rules.yaml"
    rules.write_text(rules.read_text().replace("priority: 8, blend: weighted", "priority: 9, blend: weighted", 1))
    assert fingerprint(copy) != before
