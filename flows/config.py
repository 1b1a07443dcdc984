"""PipelineConfig: which phases run and how. Every field is a Prefect parameter, so it validates strictly."""

from pydantic import BaseModel, ConfigDict, Field


class PipelineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enable_phase_1: bool = Field(default=True, description="Parse the script into scenes.")
    enable_phase_2: bool = Field(default=True, description="Read each scene's emotion.")
    enable_phase_3: bool = Field(default=True, description="Retrieve lighting-design rules for each scene.")
    enable_phase_4: bool = Field(default=True, description="Decide each group's intensity, colour and transition.")
    enable_phase_5: bool = Field(default=True, description="Write the HTML preview.")
    enable_phase_7: bool = Field(default=True, description="Evaluate the plan (report.json).")
    enable_phase_8: bool = Field(
        default=False, description="Send the plan to DMX fixtures through OLA. Real hardware: off unless asked."
    )
    use_llm: bool = Field(default=False, description="Ask an OpenAI-compatible LLM for the looks (falls back to rules).")
    continue_on_scene_failure: bool = Field(default=True, description="Go on to the next scene when one fails.")
    output_dir: str = Field(default="out", description="Where the output files are written.")
    genre: str | None = Field(default=None, description="The production's genre (tragedy, comedy, pantomime...).")
    scene_concurrency: int = Field(default=1, ge=1, le=16, description="Scene subflows in flight at once.")
    max_script_bytes: int = Field(default=20 * 1024 * 1024, ge=1, description="Refuse scripts larger than this.")
