"""PipelineConfig: which phases run and how. Every field is a Prefect parameter, so it validates strictly.

Field order and titles are the deployment form's: what to plan, then the design choices, then the hardware.
"""

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

# The hardware gate: only a real boolean opens it. Pydantic's lax mode would read "yes", "True", 1 or "on" as true.
HardwareGate = Annotated[bool, Strict()]

# Which fields the deployment form shows in which group (the flows in flows/entrypoints.py split them this way).
HARDWARE_FIELDS = ("dmx_universe", "dmx_speed", "olad_host", "olad_port")


def require_gate(name: str, value: object) -> bool:
    """`value` if it is exactly true or false; anything else is refused, naming the parameter."""
    if type(value) is not bool:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:59] + "…"  # never echo a huge value back
        raise ValueError(f"{name}: must be the JSON boolean true or false, got {shown} ({type(value).__name__})")
    return value


@lru_cache(maxsize=1)
def known_genres() -> tuple[str, ...]:
    """The genres the knowledge has rules for (rules.yaml, context_type genre)."""
    from phases.knowledge import load_knowledge

    return tuple(sorted({r.context_value for r in load_knowledge().rules if r.context_type == "genre"}))


class PipelineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- what to plan ---
    enable_phase_1: bool = Field(
        default=True, title="Read the script into scenes (Phase 1)", description="Parse the script into scenes."
    )
    enable_phase_2: bool = Field(
        default=True, title="Read each scene's emotion (Phase 2)", description="Read each scene's emotion."
    )
    enable_phase_3: bool = Field(
        default=True, title="Look up lighting rules (Phase 3)", description="Retrieve lighting-design rules for each scene."
    )
    enable_phase_4: bool = Field(
        default=True, title="Design the cues (Phase 4)", description="Decide each group's intensity, colour and transition."
    )
    enable_phase_5: bool = Field(default=True, title="Write the HTML preview (Phase 5)", description="Write the HTML preview.")
    enable_phase_7: bool = Field(
        default=True, title="Evaluate the plan (Phase 7)", description="Evaluate the plan (report.json)."
    )
    continue_on_scene_failure: bool = Field(
        default=True, title="Go on when a scene fails", description="Go on to the next scene when one fails."
    )
    output_dir: str = Field(default="out", title="Output folder", description="Where the output files are written.")
    max_script_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, title="Largest script accepted (bytes)", description="Refuse scripts larger than this."
    )
    # --- the design choices ---
    rig: str | None = Field(
        default=None,
        min_length=1,
        title="Rig file",
        description="Your rig: a cueflow YAML or QLC+ workspace (.qxw) file. Blank: the bundled studio rig.",
    )
    gold_file: str | None = Field(
        default=None,
        min_length=1,
        title="Gold calls",
        description="A designer's prompt-book calls (JSON) to score the cues against in the report. Blank: none.",
    )
    genre: str | None = Field(
        default=None, title="Genre", description="The production's genre: it biases the looks (tragedy, comedy, pantomime...)."
    )
    use_llm: bool = Field(
        default=False,
        title="Ask a language model for the looks",
        description="Ask an OpenAI-compatible LLM (falls back to rules).",
    )
    llm_base_url: str | None = Field(
        default=None,
        title="Language model address",
        description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1. Default: $CUEFLOW_LLM_BASE_URL.",
    )
    llm_model: str | None = Field(
        default=None, title="Language model name", description="Model name for LLM mode. Default: $CUEFLOW_LLM_MODEL."
    )
    llm_api_key_env: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        title="Environment variable with the API key",
        description="Name of the environment variable holding the API key (the key itself is never a parameter).",
    )
    llm_timeout_seconds: float | None = Field(
        default=None, gt=0, le=600, title="Language model timeout (s)", description="Per-request timeout for LLM mode."
    )
    llm_max_retries: int | None = Field(
        default=None, ge=0, le=10, title="Language model retries", description="Extra attempts after a failed LLM request."
    )
    cache_scene_work: bool | None = Field(
        default=None,
        title="Reuse earlier scene results",
        description=(
            "Reuse phases 2-4 results for scenes, config and knowledge seen before. Default: on in LLM mode, where a"
            " decision is a model call; off in rules mode, where reading the cache costs more than the work."
        ),
    )
    scene_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=16,
        title="Scenes planned at once",
        description=(
            "Scene subflows in flight at once. Blank: 4 on a Prefect server (its API answers while this run works), 1"
            " on Prefect's own in-process ephemeral server (its SQLite writes collide on concurrent subflows)."
        ),
    )
    task_runner: Literal["default", "dask"] = Field(
        default="default",
        title="Where scene work runs",
        description="In this process, or on Dask (needs PREFECT_API_URL).",
    )
    dask_address: str | None = Field(
        default=None, title="Dask scheduler address", description="Scheduler of a running Dask cluster."
    )
    dask_workers: int = Field(
        default=2,
        ge=1,
        le=8,  # each is a Python process of ~150 MB; 64 from a form would swamp the machine serving it
        title="Dask workers",
        description="Workers of the LocalCluster when no address is given (at most 8).",
    )
    # --- hardware (Phase 8) ---
    enable_phase_8: HardwareGate = Field(
        default=False,
        title="Play to DMX fixtures (Phase 8)",
        description="Send the plan to DMX fixtures through OLA. Real hardware: off unless asked.",
    )
    dmx_universe: int = Field(
        default=1, ge=1, le=63999, title="OLA universe", description="OLA universe that the rig's universe 1 plays to."
    )
    dmx_speed: float = Field(
        default=1.0, gt=0, le=10000, title="Playback speed", description="Show seconds per real second (100: an hour in 36 s)."
    )
    dmx_dry_run_path: str | None = Field(
        default=None,
        title="Render DMX frames to a file",
        description="Render the DMX frames to this file instead of sending them (Phase 8 dry run).",
    )
    olad_host: str = Field(default="127.0.0.1", title="olad host", description="Where olad listens for RPC.")
    olad_port: int = Field(default=9010, ge=1, le=65535, title="olad port", description="olad's RPC port.")

    @field_validator("genre")
    @classmethod
    def _known_genre(cls, value: str | None) -> str | None:
        # A misspelt genre ("tragedie") would otherwise match no rule and be ignored without a word.
        if value is None:
            return None
        genres = known_genres()
        if value.lower() not in genres:
            raise ValueError(f"{value!r} is not a genre the knowledge has rules for ({', '.join(genres)})")
        return value.lower()

    @property
    def caches_scene_work(self) -> bool:
        return self.use_llm if self.cache_scene_work is None else self.cache_scene_work
