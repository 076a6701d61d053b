"""A proposed analysis and a data set left without one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cald.project.init.recognise import Found

__all__ = ["Proposal", "Unplaced"]


@dataclass
class Proposal:
    """A proposed analysis: kind, inputs, sample, parameters, and why."""

    kind: str
    inputs: list[Found]
    parameters: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    sure: str = "high"


@dataclass(frozen=True)
class Unplaced:
    """A recognised data set no analysis was proposed for, with the reason."""

    found: Found
    reason: str
