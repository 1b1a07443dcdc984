from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """Base of every model that crosses a phase boundary: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
