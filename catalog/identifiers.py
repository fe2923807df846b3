"""The shapes of the catalog's identifiers, as validators and as SQL conditions.

An artifact's id is `<namespace>/<name>` in the Hugging Face repo-id form, so that the
same ids can later be served over the Hub protocol: each part is 1 to 96 of
`A-Z a-z 0-9 . _ -`, with no `--` or `..`.
"""

from django.core.validators import RegexValidator
from django.db.models import Q

ID_PART_PATTERN = r"^[A-Za-z0-9._-]{1,96}$"
ORGANIZATION_SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TAXONOMY_SLUG_PATTERN = ORGANIZATION_SLUG_PATTERN
HUGGINGFACE_REPO_ID_PATTERN = r"^[A-Za-z0-9._-]{1,96}/[A-Za-z0-9._-]{1,96}$"

ID_PART_MESSAGE = "Use 1 to 96 letters, digits, '.', '_' or '-', without '--' or '..'."


def id_part_condition(field: str) -> Q:
    """A CHECK condition that `field` is a valid id part."""
    return (
        Q(**{f"{field}__regex": ID_PART_PATTERN})
        & ~Q(**{f"{field}__contains": "--"})
        & ~Q(**{f"{field}__contains": ".."})
    )


id_part_validators = [
    RegexValidator(ID_PART_PATTERN, ID_PART_MESSAGE),
    RegexValidator(r"--|\.\.", ID_PART_MESSAGE, inverse_match=True),
]
organization_slug_validator = RegexValidator(
    ORGANIZATION_SLUG_PATTERN,
    "Use lowercase letters and digits, words joined by single hyphens (ibm, hugging-face).",
)
huggingface_repo_id_validators = [
    RegexValidator(
        HUGGINGFACE_REPO_ID_PATTERN,
        "A Hugging Face repo id is 'owner/name' (meta-llama/Llama-2-7b-hf), not a URL.",
    ),
    RegexValidator(r"--|\.\.", ID_PART_MESSAGE, inverse_match=True),
]
