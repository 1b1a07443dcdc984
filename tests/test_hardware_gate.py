"""Phase 8 runs only when enable_phase_8 is true, and it is false by default everywhere."""

import inspect
import json

import pytest
from pydantic import ValidationError

from flows.cli import _parser
from flows.config import PipelineConfig


def test_phase_8_is_off_by_default_in_the_config_the_cli_and_the_flows():
    assert PipelineConfig().enable_phase_8 is False
    args = _parser().parse_args(["run", "play.txt", "--out", "out"])
    assert args.send_dmx is False and args.dmx_speed == 1.0 and args.universe == 1 and args.dry_run is None
    from flows import entrypoints, pipeline

    flow_default = inspect.signature(pipeline.lighting_pipeline.fn).parameters["config"].default
    assert flow_default.enable_phase_8 is False
    gated = {
        name: inspect.signature(value.fn).parameters["enable_phase_8"].default
        for name, value in vars(entrypoints).items()
        if getattr(value, "fn", None) is not None and "enable_phase_8" in inspect.signature(value.fn).parameters
    }
    assert gated and set(gated.values()) == {False}  # the deployments' flows


def test_send_dmx_turns_phase_8_on_with_its_options():
    args = _parser().parse_args(["run", "p.txt", "--out", "o", "--send-dmx", "--dmx-speed", "100", "--universe", "2"])
    assert args.send_dmx is True and args.dmx_speed == 100.0 and args.universe == 2
    config = PipelineConfig(enable_phase_8=True, dmx_speed=100.0, dmx_universe=2)
    assert (config.dmx_speed, config.dmx_universe, config.dmx_dry_run_path) == (100.0, 2, None)


@pytest.mark.parametrize("value", ["yes", "true", "True", 1, "on", 1.0])
def test_the_config_takes_only_a_real_boolean_for_phase_8(value):
    with pytest.raises(ValidationError, match="enable_phase_8"):
        PipelineConfig(enable_phase_8=value)
    with pytest.raises(ValidationError, match="enable_phase_8"):
        PipelineConfig.model_validate_json(json.dumps({"enable_phase_8": value}))
    assert PipelineConfig.model_validate_json('{"enable_phase_8": true}').enable_phase_8 is True
