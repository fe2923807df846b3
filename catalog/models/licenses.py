"""Licenses an artifact may be shared under, with answers in plain words."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class LicenseCategory(models.TextChoices):
    """ScanCode LicenseDB's categories (https://scancode-licensedb.aboutcode.org/)."""

    # The value is ScanCode's name (the API's key); the label says it in plain words.
    PERMISSIVE = "Permissive", "Permissive: free to use, keep the notice"
    COPYLEFT = "Copyleft", "Copyleft: share changes under the same license"
    COPYLEFT_LIMITED = "Copyleft Limited", "Weak copyleft: share changes to its own files"
    PUBLIC_DOMAIN = "Public Domain", "Public domain: no conditions"
    PROPRIETARY_FREE = "Proprietary Free", "Custom license: free to use with conditions"
    FREE_RESTRICTED = "Free Restricted", "Free for some uses only"
    SOURCE_AVAILABLE = "Source-available", "Source available: limited rights to reuse"
    COMMERCIAL = "Commercial", "Commercial: a paid license"
    PATENT_LICENSE = "Patent License", "Patent license"
    CLA = "CLA", "Contributor agreement, not a license to use"
    UNSTATED = "Unstated License", "License not stated"

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
