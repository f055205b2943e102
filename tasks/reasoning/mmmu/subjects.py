"""MMMU's 30 subjects, their official order and the six disciplines they are grouped into
(mmmu/utils/data_utils.py: CAT_SHORT2LONG and DOMAIN_CAT2SUB_CAT)."""

from __future__ import annotations

import re

# The order the official scripts walk the subjects in (CAT_SHORT2LONG's values): the seeded
# random fallback draws in this order, so it is part of the scoring rule, not cosmetics.
SUBJECTS: tuple[str, ...] = (
    "Accounting", "Agriculture", "Architecture_and_Engineering", "Art", "Art_Theory",
    "Basic_Medical_Science", "Biology", "Chemistry", "Clinical_Medicine", "Computer_Science",
    "Design", "Diagnostics_and_Laboratory_Medicine", "Economics", "Electronics",
    "Energy_and_Power", "Finance", "Geography", "History", "Literature", "Manage", "Marketing",
    "Materials", "Math", "Mechanical_Engineering", "Music", "Pharmacy", "Physics", "Psychology",
    "Public_Health", "Sociology",
)  # fmt: skip

DISCIPLINES: dict[str, tuple[str, ...]] = {
    "Art and Design": ("Art", "Art_Theory", "Design", "Music"),
    "Business": ("Accounting", "Economics", "Finance", "Manage", "Marketing"),
    "Science": ("Biology", "Chemistry", "Geography", "Math", "Physics"),
    "Health and Medicine": (
        "Basic_Medical_Science", "Clinical_Medicine", "Diagnostics_and_Laboratory_Medicine",
        "Pharmacy", "Public_Health",
    ),
    "Humanities and Social Science": ("History", "Literature", "Sociology", "Psychology"),
    "Tech and Engineering": (
        "Agriculture", "Architecture_and_Engineering", "Computer_Science", "Electronics",
        "Energy_and_Power", "Materials", "Mechanical_Engineering",
    ),
}  # fmt: skip

RANK = {subject: index for index, subject in enumerate(SUBJECTS)}


def subject_of(item_id: str) -> str:
    """The subject an id names, as the official scripts read it: the id without its split
    prefix and trailing number ('validation_Art_Theory_3' -> 'Art_Theory')."""
    return "_".join(item_id.split("_")[1:-1])


def snake(name: str) -> str:
    """A subject or discipline as a metric-name suffix ('Art and Design' -> 'art_and_design')."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
