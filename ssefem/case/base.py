"""The base of every case model: unknown keys rejected, strict types, no NaN or infinity."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False,
                              strict=True)
