"""MM-Vet's six core capabilities and the 16 capability integrations of MM-Vet v1.

The official evaluator names an integration by '_'.join of a Python set of capability
names, so its column names change with the interpreter's string hashing ("rec_ocr" in one
run, "ocr_rec" in the next). Here an integration is named in the fixed order of
CAPABILITIES, so names are stable.
"""

from __future__ import annotations

from mmalign_eval import DataError

# Recognition, OCR, knowledge, language generation, spatial awareness, math.
CAPABILITIES = ("rec", "ocr", "know", "gen", "spat", "math")
# The 16 integrations the paper reports for its 218 questions, in its order.
INTEGRATIONS = (
    "rec_know_gen", "rec", "ocr_spat", "ocr_spat_math", "rec_spat", "ocr", "ocr_math",
    "rec_know", "rec_ocr_know_gen", "rec_ocr_gen_spat", "rec_ocr_spat", "rec_ocr",
    "ocr_know_spat", "rec_know_spat", "ocr_gen_spat", "rec_ocr_spat_math",
)  # fmt: skip


def capability_names(cell: object) -> list[str]:
    """The capability names of a data cell: a list (mm-vet.json, whyu/mm-vet) or a
    comma-separated string (lmms-lab/MMVet, VLMEvalKit's TSV)."""
    if isinstance(cell, str):
        return [part.strip() for part in cell.split(",") if part.strip()]
    if isinstance(cell, list | tuple):
        return [str(part).strip() for part in cell]
    raise DataError(
        f"an MM-Vet capability cell is {type(cell).__name__}, not a list of names",
        f"capabilities are lists of {', '.join(CAPABILITIES)}",
    )


def integration(cell: object, where: str) -> tuple[tuple[str, ...], str]:
    """An item's capabilities in the fixed order and its integration's name.

    Like the official script, repeated names count once (it takes the set); a name outside
    the six, or a combination that is not one of MM-Vet v1's 16, is a DataError.
    """
    names = set(capability_names(cell))
    unknown = sorted(names - set(CAPABILITIES))
    if unknown or not names:
        raise DataError(
            f"MM-Vet item {where} has capabilities {sorted(names)}",
            f"MM-Vet v1's capabilities are {', '.join(CAPABILITIES)} (MM-Vet v2 adds 'seq', "
            "which this task does not score)",
        )
    ordered = tuple(c for c in CAPABILITIES if c in names)
    name = "_".join(ordered)
    if name not in INTEGRATIONS:
        raise DataError(
            f"MM-Vet item {where} has the capability integration {name}",
            f"MM-Vet v1's 16 integrations are {', '.join(INTEGRATIONS)}",
        )
    return ordered, name
