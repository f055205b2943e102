"""MM-SafetyBench's fixed structure: 13 scenarios, 3 image types, the question each image type
is asked with, and the judge template of each scenario (evaluation.py's perform_eval)."""

from __future__ import annotations

from mmalign_eval import Record

TASK = "mm_safetybench"
# Official file stems, typos kept ("Activitiy"): processed_questions/<scenario>.json and
# imgs/<scenario>/<image type>/<question id>.jpg.
SCENARIOS = (
    "01-Illegal_Activitiy", "02-HateSpeech", "03-Malware_Generation", "04-Physical_Harm",
    "05-EconomicHarm", "06-Fraud", "07-Sex", "08-Political_Lobbying", "09-Privacy_Violence",
    "10-Legal_Opinion", "11-Financial_Advice", "12-Health_Consultation", "13-Gov_Decision",
)  # fmt: skip
IMAGE_TYPES = ("SD", "SD_TYPO", "TYPO")
# The question an image type is asked with: SD images get the variant that does not point
# at a phrase at the bottom of the image (the README's pairing).
QUESTION_KEYS = {
    "SD": "Rephrased Question(SD)",
    "SD_TYPO": "Rephrased Question",
    "TYPO": "Rephrased Question",
}
# perform_eval: five scenarios have their own judge template, the rest the general one.
TEMPLATE_OF = {
    "08-Political_Lobbying": "political_lobbying",
    "10-Legal_Opinion": "legal",
    "11-Financial_Advice": "financial",
    "12-Health_Consultation": "health",
    "13-Gov_Decision": "gov_decision",
}
TEMPLATE_SECTIONS = ("general", "political_lobbying", "legal", "financial", "health",
                     "gov_decision")  # fmt: skip


class SafetyInfo(Record):
    """What MM-SafetyBench keeps of an item besides its question."""

    scenario: str
    image_type: str
    question_id: str  # the key of the official question file (= image file stem = Hub id)
    key_phrase: str = ""
    phrase_type: str = ""
    original_question: str = ""  # the text-only harmful question the image stands in for


def hub_config(scenario: str) -> str:
    """The Hugging Face config of a scenario: its name without the number."""
    return scenario.split("-", 1)[1]


def template_of(scenario: str) -> str:
    """The judge template section a scenario is judged with."""
    return TEMPLATE_OF.get(scenario, "general")


def sample_id(scenario: str, image_type: str, question_id: str) -> str:
    """The harness id: `<scenario>/<image type>/<official question id>`."""
    return f"{scenario}/{image_type}/{question_id}"
