"""PipelineConfig: which phases run and how. Every field is a Prefect parameter, so it validates strictly."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

# The hardware gate: only a real boolean opens it. Pydantic's lax mode would read "yes", "True", 1 or "on" as true.
HardwareGate = Annotated[bool, Strict()]


def require_gate(name: str, value: object) -> bool:
    """`value` if it is exactly true or false; anything else is refused, naming the parameter."""
    if type(value) is not bool:
        raise ValueError(f"{name}: must be the JSON boolean true or false, got {value!r} ({type(value).__name__})")
    return value


class PipelineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enable_phase_1: bool = Field(default=True, description="Parse the script into scenes.")
    enable_phase_2: bool = Field(default=True, description="Read each scene's emotion.")
    enable_phase_3: bool = Field(default=True, description="Retrieve lighting-design rules for each scene.")
    enable_phase_4: bool = Field(default=True, description="Decide each group's intensity, colour and transition.")
    enable_phase_5: bool = Field(default=True, description="Write the HTML preview.")
    enable_phase_7: bool = Field(default=True, description="Evaluate the plan (report.json).")
    enable_phase_8: HardwareGate = Field(
        default=False, description="Send the plan to DMX fixtures through OLA. Real hardware: off unless asked."
    )
    dmx_universe: int = Field(default=1, ge=1, le=63999, description="OLA universe that the rig's universe 1 plays to.")
    dmx_speed: float = Field(default=1.0, gt=0, le=10000, description="Show seconds per real second (100: an hour in 36 s).")
    dmx_dry_run_path: str | None = Field(
        default=None, description="Render the DMX frames to this file instead of sending them (Phase 8 dry run)."
    )
    olad_host: str = Field(default="127.0.0.1", description="Where olad listens for RPC.")
    olad_port: int = Field(default=9010, ge=1, le=65535, description="olad's RPC port.")
    use_llm: bool = Field(default=False, description="Ask an OpenAI-compatible LLM for the looks (falls back to rules).")
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1. Default: $CUEFLOW_LLM_BASE_URL."
    )
    llm_model: str | None = Field(default=None, description="Model name for LLM mode. Default: $CUEFLOW_LLM_MODEL.")
    llm_api_key_env: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Name of the environment variable holding the API key (the key itself is never a parameter).",
    )
    llm_timeout_seconds: float | None = Field(default=None, gt=0, le=600, description="Per-request timeout for LLM mode.")
    llm_max_retries: int | None = Field(default=None, ge=0, le=10, description="Extra attempts after a failed LLM request.")
    continue_on_scene_failure: bool = Field(default=True, description="Go on to the next scene when one fails.")
    output_dir: str = Field(default="out", description="Where the output files are written.")
    rig: str | None = Field(
        default=None,
        min_length=1,
        description="Your rig: a cueflow YAML or QLC+ workspace (.qxw) file. Blank: the bundled studio rig.",
    )
    genre: str | None = Field(default=None, description="The production's genre (tragedy, comedy, pantomime...).")
    scene_concurrency: int = Field(default=1, ge=1, le=16, description="Scene subflows in flight at once.")
    task_runner: Literal["default", "dask"] = Field(
        default="default", description="Where per-scene work runs: in this process, or on Dask (needs PREFECT_API_URL)."
    )
    dask_address: str | None = Field(default=None, description="Scheduler address of a running Dask cluster.")
    dask_workers: int = Field(default=2, ge=1, le=64, description="Workers of the LocalCluster when no address is given.")
    cache_scene_work: bool | None = Field(
        default=None,
        description=(
            "Reuse phases 2-4 results for scenes, config and knowledge seen before. Default: on in LLM mode, where a"
            " decision is a model call; off in rules mode, where reading the cache costs more than the work."
        ),
    )
    max_script_bytes: int = Field(default=20 * 1024 * 1024, ge=1, description="Refuse scripts larger than this.")

    @property
    def caches_scene_work(self) -> bool:
        return self.use_llm if self.cache_scene_work is None else self.cache_scene_work
