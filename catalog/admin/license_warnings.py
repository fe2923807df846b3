"""Warnings, not blocks: a derived entry that claims more freedom than what it came from.

A model fine-tuned from Llama 2 inherits its use restrictions; one that says
'Apache-2.0' may be right (the makers may have permission) but is worth a second look.
"""

from __future__ import annotations

from catalog.models import Artifact, License, Relation, RelationType

# Edges along which a license's terms usually travel to the derived work.
DERIVING_RELATIONS = (
    RelationType.FINE_TUNED_FROM,
    RelationType.QUANTIZED_FROM,
    RelationType.MERGED_FROM,
    RelationType.ADAPTER_OF,
    RelationType.DISTILLED_FROM,
    RelationType.DERIVED_FROM,
)

# (flag, value that binds, how a person says it)
TERMS = (
    ("use_restrictions", True, "restricts some uses"),
    ("share_alike", True, "requires derived works to keep its license"),
    ("commercial_use", False, "forbids commercial use"),
)


def _binding(licenses: list[License], flag: str, value: bool) -> list[License]:
    return [license for license in licenses if getattr(license, flag) is value]


def license_warnings(artifact: Artifact) -> list[str]:
    """Sentences for each parent whose terms the entry's license seems to drop."""
    own = list(artifact.licenses.all())
    if not own:
        return []
    relations = (
        Relation.objects.filter(
            source=artifact, relation_type__in=DERIVING_RELATIONS, target__isnull=False
        )
        .select_related("target")
        .prefetch_related("target__licenses")
    )
    warnings = []
    for relation in relations:
        parent = relation.target
        parent_licenses = list(parent.licenses.all())
        for flag, value, words in TERMS:
            binding = _binding(parent_licenses, flag, value)
            if binding and not _binding(own, flag, value):
                keys = ", ".join(license.key for license in binding)
                warnings.append(
                    f"{artifact} is {relation.get_relation_type_display()} {parent}, whose "
                    f"license ({keys}) {words}; {artifact}'s license "
                    f"({artifact.license_expression}) does not. Check that the makers may "
                    "share it under these terms."
                )
    return warnings
