"""The project's c-ALD synthesis: one planned schedule per sample (``cald plan`` for each).

A project may describe how its shells were (or are to be) grown in a ``[synthesis]`` table with
the options of ``cald plan`` that all samples share (the QD solution, the TMA solution, pump and
O2 rates, waits, the switch to oleic acid, the stability limit); each sample with c-ALD cycles
and ``tma_per_qd`` then gets its plan, with its own cycles, TMA per QD and ligands per QD::

    [synthesis]
    qd_um = 3.0          # QD concentration of the solution, µM
    volume_ml = 5.0      # volume of the QD solution, mL
    tma_mm = 1.6         # TMA solution, mM
    olac_after = 3       # oleic acid instead of O2 after cycle 3

``olac_after`` applies to the samples with more cycles than that; the others use O2 throughout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cald.errors import InputError
from cald.options import describe_validation_error
from cald.qd.options import PlanOptions

__all__ = ["SAMPLE_FIELDS", "sample_plans"]

#: Plan options that come from each sample, not from ``[synthesis]``.
SAMPLE_FIELDS = ("cycles", "tma_per_qd", "ligands_per_qd")


def sample_plans(synthesis: dict[str, Any] | None, samples: list[dict[str, Any]],
                 source: Path) -> list[dict[str, Any]]:
    """The plan (``cald plan --json`` object with ``sample``) of each sample that has c-ALD
    cycles and ``tma_per_qd``, in the samples' order; none without a ``[synthesis]`` table.

    Raises
    ------
    InputError
        A ``[synthesis]`` value is missing or invalid (naming ``synthesis.<field>``), or the
        table sets a per-sample field.
    """
    if synthesis is None:
        return []
    own = sorted(set(SAMPLE_FIELDS) & synthesis.keys())
    if own:
        raise InputError(f"synthesis.{own[0]}: set per sample ([[samples]]), not in [synthesis]",
                         source)
    plans = []
    for sample in samples:
        if sample["cycles"] < 1 or sample.get("tma_per_qd") is None:
            continue
        values = {**synthesis, **{k: sample.get(k) for k in SAMPLE_FIELDS}}
        if values.get("olac_after") is not None and values["olac_after"] >= sample["cycles"]:
            values["olac_after"] = None  # this sample's cycles all use O2
        try:
            opts = PlanOptions.model_validate(values)
        except ValidationError as exc:
            field, msg = describe_validation_error(exc, PlanOptions, str)
            raise InputError(f"synthesis{'' if field is None else '.' + field}: {msg} "
                             f"(plan of sample {sample['name']!r})", source) from None
        plans.append({"sample": sample["name"], **opts.plan().to_dict()})
    return plans
