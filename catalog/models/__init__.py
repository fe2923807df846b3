"""The catalog's models, one module per concept.

Import direction: roles and history (the columns history tables add) import no model;
taxonomy, licenses and organizations depend on nothing of ours but those two;
artifacts depend on them; relations, openness and the search document depend on
artifacts; API tokens depend on organizations. Everything is re-exported here, so
callers write `from catalog.models import Artifact`.
"""

from catalog.models.artifacts import (
    PUBLIC_STATUSES,
    Artifact,
    ArtifactKind,
    ArtifactQuerySet,
    ArtifactStatus,
    Contribution,
    ContributionRole,
    DatasetSizeUnit,
    DatePrecision,
    ModelVariant,
    OpennessClass,
    Source,
    ToolCategory,
)
from catalog.models.licenses import OPEN_CATEGORIES, License, LicenseCategory
from catalog.models.openness import Component, OpennessComponent
from catalog.models.organizations import (
    Membership,
    Organization,
    OrganizationKind,
)
from catalog.models.proxies import DatasetEntry, ModelEntry, ToolEntry
from catalog.models.relations import Relation, RelationType
from catalog.models.roles import MembershipRole
from catalog.models.search import ArtifactFacet, ArtifactSearchDocument
from catalog.models.taxonomy import Language, Modality, Tag, Task
from catalog.models.tokens import (
    TOKEN_PREFIX,
    ApiToken,
    ApiTokenQuerySet,
    IdempotentRequest,
    TokenScope,
)

__all__ = [
    "OPEN_CATEGORIES",
    "PUBLIC_STATUSES",
    "TOKEN_PREFIX",
    "ApiToken",
    "ApiTokenQuerySet",
    "Artifact",
    "ArtifactFacet",
    "ArtifactKind",
    "ArtifactQuerySet",
    "ArtifactSearchDocument",
    "ArtifactStatus",
    "Component",
    "Contribution",
    "ContributionRole",
    "DatasetEntry",
    "DatasetSizeUnit",
    "DatePrecision",
    "IdempotentRequest",
    "Language",
    "License",
    "LicenseCategory",
    "Membership",
    "MembershipRole",
    "Modality",
    "ModelEntry",
    "ModelVariant",
    "OpennessClass",
    "OpennessComponent",
    "Organization",
    "OrganizationKind",
    "Relation",
    "RelationType",
    "Source",
    "Tag",
    "Task",
    "TokenScope",
    "ToolCategory",
    "ToolEntry",
]
