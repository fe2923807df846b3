"""Licenses an artifact may be shared under, with answers in plain words."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class LicenseCategory(models.TextChoices):
    """ScanCode LicenseDB's categories (https://scancode-licensedb.aboutcode.org/)."""

    PERMISSIVE = "Permissive"
    COPYLEFT = "Copyleft"
    COPYLEFT_LIMITED = "Copyleft Limited"
    PUBLIC_DOMAIN = "Public Domain"
    PROPRIETARY_FREE = "Proprietary Free"
    FREE_RESTRICTED = "Free Restricted"
    SOURCE_AVAILABLE = "Source-available"
    COMMERCIAL = "Commercial"
    PATENT_LICENSE = "Patent License"
    CLA = "CLA"
    UNSTATED = "Unstated License"

    @property
    def is_open(self) -> bool:
        """Whether the category counts as an open license for the Model Openness Framework."""
        return self in OPEN_CATEGORIES


OPEN_CATEGORIES = frozenset(
    {
        LicenseCategory.PERMISSIVE,
        LicenseCategory.COPYLEFT,
        LicenseCategory.COPYLEFT_LIMITED,
        LicenseCategory.PUBLIC_DOMAIN,
    }
)


class License(models.Model):
    key = models.CharField(
        max_length=120,
        unique=True,
        help_text="SPDX identifier or LicenseRef-… key, e.g. 'Apache-2.0'.",
    )
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True, help_text="Where the license text can be read.")
    category = models.CharField(max_length=32, choices=LicenseCategory.choices)
    in_registry = models.BooleanField(
        default=True,
        help_text="Known to the ScanCode license index; otherwise defined by the catalog.",
    )
    # Plain-words answers; None means "it depends" or "not yet known".
    commercial_use = models.BooleanField(
        null=True, blank=True, help_text="May it be used commercially?"
    )
    share_alike = models.BooleanField(
        null=True, blank=True, help_text="Must derived works use the same license?"
    )
    attribution = models.BooleanField(null=True, blank=True, help_text="Must users credit it?")
    use_restrictions = models.BooleanField(
        null=True,
        blank=True,
        help_text="Does it forbid some uses (RAIL licenses, acceptable-use policies)?",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=LicenseCategory.values), name="license_category_valid"
            ),
            models.CheckConstraint(condition=~Q(key=""), name="license_key_not_empty"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_open(self) -> bool:
        return self.category in OPEN_CATEGORIES
