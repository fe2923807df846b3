"""The things members share: models, datasets and tools, in one table.

One table keeps search, facets and lineage simple. Fields that belong to one kind are
nullable or empty on the others, and named CHECK constraints keep them there.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.core.validators import MinValueValidator
from django.db import models, router, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from catalog.identifiers import (
    HUGGINGFACE_REPO_ID_PATTERN,
    huggingface_repo_id_validators,
    id_part_condition,
    id_part_validators,
)
from catalog.models.history import TokenHistory
from catalog.models.licenses import License
from catalog.models.organizations import Organization
from catalog.models.roles import (
    MembershipRole,
    is_curator,
    managing_organization_ids,
    reading_organization_ids,
)
from catalog.models.taxonomy import Language, Modality, Tag, Task


class ArtifactKind(models.TextChoices):
    MODEL = "model", "Model"
    DATASET = "dataset", "Dataset"
    TOOL = "tool", "Tool"

    @property
    def huggingface_prefix(self) -> str:
        """Where repos of this kind live on the Hugging Face Hub: models at the root,
        datasets under `datasets/`, and a tool's repo is a Space (an app)."""
        return {"model": "", "dataset": "datasets/", "tool": "spaces/"}[self.value]


class ArtifactStatus(models.TextChoices):
    """The review lifecycle: draft -> in review -> published -> deprecated or withdrawn."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    DEPRECATED = "deprecated", "Deprecated"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @property
    def is_public(self) -> bool:
        return self in PUBLIC_STATUSES


PUBLIC_STATUSES = (ArtifactStatus.PUBLISHED, ArtifactStatus.DEPRECATED)


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"

    def format(self, value) -> str:
        return value.strftime({"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}[self.value])


def release_display(released_on, precision: str) -> str:
    """A release date as precisely as it is known ("2024", "2024-05", "2024-05-13"), or
    "" when there is none."""
    if released_on is None:
        return ""
    return DatePrecision(precision).format(released_on)


def huggingface_url(kind: str, repo_id: str) -> str:
    """The Hub page of the repo `repo_id` of an entry of `kind`, or "" when there is none.
    The one rule for the link: the API, its fast list path and the pages all call it."""
    if not repo_id:
        return ""
    return f"https://huggingface.co/{ArtifactKind(kind).huggingface_prefix}{repo_id}"


class DatasetSizeUnit(models.TextChoices):
    BYTES = "bytes", "bytes"
    RECORDS = "records", "records"
    TOKENS = "tokens", "tokens"
    IMAGES = "images", "images"
    HOURS = "hours", "hours"


class ToolCategory(models.TextChoices):
    LIBRARY = "library", "Library"
    FRAMEWORK = "framework", "Framework"
    BENCHMARK = "benchmark", "Benchmark"
    APPLICATION = "application", "Application"
    PLATFORM = "platform", "Platform"
    SPECIFICATION = "specification", "Specification"
    SERVICE = "service", "Service"


class OpennessClass(models.TextChoices):
    """Model Openness Framework classes; I is the most open."""

    CLASS_I = "I", "Class I: Open Science"
    CLASS_II = "II", "Class II: Open Tooling"
    CLASS_III = "III", "Class III: Open Model"


class ArtifactQuerySet(models.QuerySet):
    """Who may see and change what, written once for web, API and admin."""

    def published(self) -> ArtifactQuerySet:
        """What the public sees: published and deprecated entries."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def with_tombstones(self) -> ArtifactQuerySet:
        """Public entries plus withdrawn ones, whose page says why they were withdrawn."""
        return self.filter(status__in=[*PUBLIC_STATUSES, ArtifactStatus.WITHDRAWN])

    def visible_to(self, user: User | AnonymousUser) -> ArtifactQuerySet:
        """What `user` may read: public entries, plus their organizations' workspace.

        Anonymous readers and users without a membership see `published()`; members also
        see every entry their organizations lead or contribute to, drafts included;
        curators see everything. A user reading with an API token sees, beyond what is
        public, only the entries of the organizations the token acts for.
        """
        if not user.is_authenticated or not user.is_active:
            return self.published()
        narrowed = reading_organization_ids(user)
        if narrowed is not None:
            workspace = Contribution.objects.filter(organization_id__in=narrowed)
            return self.filter(
                Q(status__in=PUBLIC_STATUSES) | Q(pk__in=workspace.values("artifact_id"))
            )
        if is_curator(user):
            return self.all()
        return self.filter(Q(status__in=PUBLIC_STATUSES) | Q(pk__in=_workspace_artifact_ids(user)))

    def in_workspace_of(self, user: User | AnonymousUser) -> ArtifactQuerySet:
        """What belongs to `user`'s organizations (led or contributed to), in any status.

        The admin shows a member only these; curators' workspace is the whole catalog.
        """
        if is_curator(user):
            return self.all()
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(pk__in=_workspace_artifact_ids(user))

    def editable_by(self, user: User | AnonymousUser) -> ArtifactQuerySet:
        """Entries led by an organization where `user` is an admin or editor."""
        if is_curator(user):
            return self.all()
        if not user.is_authenticated or not user.is_active:
            return self.none()
        led = Contribution.objects.filter(
            role=ContributionRole.LEAD,
            organization__memberships__user=user,
            organization__memberships__role__in=MembershipRole.editing(),
        )
        return self.filter(pk__in=led.values("artifact_id"))

    def managed_by(self, user: User | AnonymousUser) -> ArtifactQuerySet:
        """Entries whose fate `user` decides: led by an organization where they are admin."""
        if is_curator(user):
            return self.all()
        led = Contribution.objects.filter(
            role=ContributionRole.LEAD, organization_id__in=managing_organization_ids(user)
        )
        return self.filter(pk__in=led.values("artifact_id"))

    def in_review(self) -> ArtifactQuerySet:
        """Entries their editors submitted, waiting for a curator."""
        return self.filter(status=ArtifactStatus.IN_REVIEW)

    def changed_after_publishing(self, since=None) -> ArtifactQuerySet:
        """Published entries whose content changed after they were published.

        Transitions leave `updated_at` alone, so only an edit moves it past
        `published_at`. `since` keeps only changes made from that time on.
        """
        changed = self.filter(status=ArtifactStatus.PUBLISHED, updated_at__gt=F("published_at"))
        if since is not None:
            changed = changed.filter(updated_at__gte=since)
        return changed

    def locked(self) -> ArtifactQuerySet:
        """These entries, locked against other writers of them until the transaction ends.

        PostgreSQL's FOR NO KEY UPDATE, as an UPDATE takes: an entry's key never changes,
        so a writer adding a lineage edge that points to it (its foreign key check takes
        KEY SHARE, at commit) need not wait. With FOR UPDATE, two writers each adding an
        edge to the other's entry waited for each other, and one failed as a deadlock.
        SQLite locks no rows: its IMMEDIATE transactions write one at a time.
        """
        return self.select_for_update(no_key=True)

    def get_by_id(self, artifact_id: str) -> Artifact:
        """Look up `<namespace>/<name>`; raises DoesNotExist for any other shape."""
        namespace, _, name = artifact_id.partition("/")
        return self.get(namespace=namespace, slug=name)


def _workspace_artifact_ids(user: User) -> models.QuerySet:
    """A subquery: ids of the artifacts `user`'s organizations lead or contribute to."""
    return Contribution.objects.filter(organization__memberships__user=user).values("artifact_id")


class Artifact(models.Model):
    # Identity: `<namespace>/<slug>`, the namespace being the lead organization's slug.
    namespace = models.CharField(
        max_length=96,
        validators=id_part_validators,
        help_text="The lead organization's slug when the entry was registered.",
    )
    slug = models.CharField(
        max_length=96,
        validators=id_part_validators,
        help_text="The entry's own part of its id, e.g. 'llama-2'.",
    )
    kind = models.CharField(max_length=16, choices=ArtifactKind.choices)
    name = models.CharField(max_length=200, help_text="As its makers name it, e.g. 'Llama 2'.")
    summary = models.CharField(max_length=300, help_text="One sentence: what it is.")
    description = models.TextField(blank=True, help_text="Markdown; rendered sanitized.")

    status = models.CharField(
        max_length=16, choices=ArtifactStatus.choices, default=ArtifactStatus.DRAFT
    )
    review_note = models.TextField(
        blank=True, help_text="A curator's note to the editors when sending an entry back."
    )
    withdrawn_reason = models.TextField(
        blank=True, help_text="Shown publicly when the entry is withdrawn."
    )

    released_on = models.DateField(
        null=True, blank=True, help_text="First public release; see the precision."
    )
    release_precision = models.CharField(
        max_length=8,
        choices=DatePrecision.choices,
        blank=True,
        help_text="How much of the release date is known: year, month or day.",
    )
    version = models.CharField(max_length=64, blank=True)

    homepage_url = models.URLField(blank=True)
    repository_url = models.URLField(blank=True)
    huggingface_repo_id = models.CharField(
        max_length=193,
        blank=True,
        validators=huggingface_repo_id_validators,
        help_text="'owner/name' on the Hugging Face Hub, e.g. 'meta-llama/Llama-2-7b-hf'.",
    )
    paper_url = models.URLField(blank=True)

    license_expression = models.CharField(
        max_length=500,
        blank=True,
        help_text="An SPDX license expression, e.g. 'Apache-2.0 AND MIT'.",
    )
    licenses = models.ManyToManyField(
        License, blank=True, related_name="artifacts", help_text="The expression's parts."
    )
    license_note = models.TextField(
        blank=True, help_text="What the expression cannot say, e.g. per-component terms."
    )

    tasks = models.ManyToManyField(Task, blank=True, related_name="artifacts")
    modalities = models.ManyToManyField(Modality, blank=True, related_name="artifacts")
    languages = models.ManyToManyField(Language, blank=True, related_name="artifacts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="artifacts")

    # Models only.
    architecture = models.CharField(max_length=200, blank=True)
    openness_class = models.CharField(
        max_length=3,
        choices=OpennessClass.choices,
        blank=True,
        editable=False,
        help_text="Computed from the openness components; never typed in.",
    )
    # Datasets only.
    size_value = models.DecimalField(
        max_digits=24,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    size_unit = models.CharField(max_length=16, choices=DatasetSizeUnit.choices, blank=True)
    formats = models.JSONField(default=list, blank=True, help_text="e.g. ['parquet', 'jsonl'].")
    # Tools only.
    tool_category = models.CharField(max_length=16, choices=ToolCategory.choices, blank=True)
    programming_languages = models.JSONField(default=list, blank=True)

    unverified = models.JSONField(
        default=dict,
        blank=True,
        help_text="Claims not yet confirmed by a source, by field. Never shown as fact.",
    )
    notes = models.TextField(blank=True, help_text="Curators' notes on the facts.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    edit_count = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Counts the entry's saves; its ETag, so that no write overwrites "
        "a change its writer has not seen.",
    )

    organizations = models.ManyToManyField(
        Organization, through="Contribution", related_name="artifacts"
    )

    history = HistoricalRecords(
        m2m_fields=[licenses, tasks, modalities, languages, tags], bases=[TokenHistory]
    )
    objects = ArtifactQuerySet.as_manager()

    class Meta:
        # "Entries" is the catalog's word for them in the admin and the docs.
        verbose_name = "entry"
        verbose_name_plural = "entries"
        ordering = ["name", "namespace", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["namespace", "slug"], name="artifact_id_unique"),
            models.CheckConstraint(
                condition=id_part_condition("namespace"), name="artifact_namespace_form"
            ),
            models.CheckConstraint(condition=id_part_condition("slug"), name="artifact_slug_form"),
            models.CheckConstraint(
                condition=Q(kind__in=ArtifactKind.values), name="artifact_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ArtifactStatus.values), name="artifact_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ArtifactStatus.WITHDRAWN) | ~Q(withdrawn_reason=""),
                name="artifact_withdrawn_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=PUBLIC_STATUSES) | Q(published_at__isnull=False),
                name="artifact_public_has_published_at",
            ),
            models.CheckConstraint(
                condition=(Q(released_on__isnull=True) & Q(release_precision=""))
                | (Q(released_on__isnull=False) & Q(release_precision__in=DatePrecision.values)),
                name="artifact_release_date_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(huggingface_repo_id="")
                | Q(huggingface_repo_id__regex=HUGGINGFACE_REPO_ID_PATTERN),
                name="artifact_huggingface_repo_id_form",
            ),
            models.CheckConstraint(
                condition=Q(kind=ArtifactKind.MODEL) | (Q(architecture="") & Q(openness_class="")),
                name="artifact_model_fields_only_on_models",
            ),
            models.CheckConstraint(
                condition=Q(openness_class="") | Q(openness_class__in=OpennessClass.values),
                name="artifact_openness_class_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind=ArtifactKind.DATASET)
                | (Q(size_value__isnull=True) & Q(size_unit="") & Q(formats=[])),
                name="artifact_dataset_fields_only_on_datasets",
            ),
            models.CheckConstraint(
                condition=(Q(size_value__isnull=True) & Q(size_unit=""))
                | (Q(size_value__gte=0) & Q(size_unit__in=DatasetSizeUnit.values)),
                name="artifact_dataset_size_has_unit",
            ),
            models.CheckConstraint(
                condition=Q(kind=ArtifactKind.TOOL)
                | (Q(tool_category="") & Q(programming_languages=[])),
                name="artifact_tool_fields_only_on_tools",
            ),
            models.CheckConstraint(
                condition=Q(tool_category="") | Q(tool_category__in=ToolCategory.values),
                name="artifact_tool_category_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"], name="artifact_status_kind"),
            models.Index(fields=["released_on"], name="artifact_released_on"),
            models.Index(fields=["updated_at"], name="artifact_updated_at"),
            # The default order (the admin's lists), so that a deep page is an index walk.
            models.Index(fields=["name", "namespace", "slug"], name="artifact_name_order"),
            # Search's order by name, as people read names (catalog.search.query._order),
            # so that its first page and a cursor's deep page are index walks, not sorts.
            models.Index(
                Lower("name"), F("name"), F("namespace"), F("slug"), name="artifact_reading_order"
            ),
        ]

    def __str__(self) -> str:
        return self.repo_id

    def save(self, *args, **kwargs) -> None:
        """Every save of an existing entry moves its edit count on, whatever it changes
        (the admin, the API, the workflow, derived fields, a history revert), so its
        ETag changes too. The next count is counted from the stored one, locked
        inside a transaction, never from this instance's: a reverted or stale instance
        cannot bring back a count (and an ETag) that was already used."""
        if self.pk is not None:  # a reverted instance counts as adding: it is not
            stored = Artifact.objects.filter(pk=self.pk)
            if transaction.get_connection(router.db_for_write(Artifact)).in_atomic_block:
                stored = stored.locked()
            current = stored.values_list("edit_count", flat=True).first()
            if current is not None:
                self.edit_count = current + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "edit_count"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("web:artifact", kwargs={"namespace": self.namespace, "slug": self.slug})

    @property
    def etag(self) -> str:
        """The entity tag of the entry as it is now, quoted as HTTP wants it."""
        return f'"{self.pk}.{self.edit_count}"'

    @property
    def repo_id(self) -> str:
        """The artifact's id: `<namespace>/<slug>`."""
        return f"{self.namespace}/{self.slug}"

    @property
    def released_display(self) -> str:
        return release_display(self.released_on, self.release_precision)

    @property
    def huggingface_url(self) -> str:
        return huggingface_url(self.kind, self.huggingface_repo_id)

    @property
    def is_public(self) -> bool:
        return ArtifactStatus(self.status).is_public

    def publish_at(self, at: datetime.datetime) -> list[str]:
        """Make the entry published, stamping `at` as its first publication unless it was
        published before: sent back and published again, it keeps its first date. The
        workflow and the seed loader both publish through here. Returns the fields it
        set, for `save(update_fields=...)`."""
        self.status = ArtifactStatus.PUBLISHED
        if self.published_at is not None:
            return ["status"]
        self.published_at = at
        return ["status", "published_at"]

    def contributions_lead_first(self) -> list[Contribution]:
        """Its (prefetched) contributions: the lead first, then by name as people read."""
        return lead_first(self.contributions.all())

    @property
    def lead_organization(self) -> Organization | None:
        """The lead organization, read from prefetched contributions when there are any."""
        for contribution in self.contributions.all():
            if contribution.role == ContributionRole.LEAD:
                return contribution.organization
        return None


def lead_first(contributions: Iterable[Contribution]) -> list[Contribution]:
    """Contributions in the order every list shows them: the lead, then by name as people
    read. A plain function, so migrations' historical models can use it too."""
    return sorted(
        contributions, key=lambda c: (c.role != ContributionRole.LEAD, c.organization.name.lower())
    )


class ContributionRole(models.TextChoices):
    LEAD = "lead", "Lead"
    CONTRIBUTOR = "contributor", "Contributor"


class Contribution(models.Model):
    """An organization's part in an artifact; every artifact has exactly one lead."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="contributions")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="contributions"
    )
    role = models.CharField(
        max_length=16, choices=ContributionRole.choices, default=ContributionRole.CONTRIBUTOR
    )

    history = HistoricalRecords()

    class Meta:
        # The lead first ('lead' > 'contributor'), then by name as people read: lead_first().
        ordering = ["-role", Lower("organization__name")]
        constraints = [
            models.UniqueConstraint(
                fields=["artifact", "organization"], name="contribution_once_per_organization"
            ),
            models.UniqueConstraint(
                fields=["artifact"],
                condition=Q(role=ContributionRole.LEAD),
                name="contribution_one_lead_per_artifact",
            ),
            models.CheckConstraint(
                condition=Q(role__in=ContributionRole.values), name="contribution_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()}) of {self.artifact}"


class ModelVariant(models.Model):
    """One size of a model family: Llama 2 has 7B, 13B and 70B."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=64, help_text="e.g. '7B' or '1B-A400M'.")
    parameters = models.BigIntegerField(help_text="Total parameter count.")
    active_parameters = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="For mixture-of-experts models: parameters active per token.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["parameters", "name"]
        constraints = [
            models.UniqueConstraint(fields=["artifact", "name"], name="model_variant_name_unique"),
            models.CheckConstraint(
                condition=Q(parameters__gt=0),
                name="model_variant_parameters_positive",
                violation_error_message="The parameter count is a number above 0.",
            ),
            models.CheckConstraint(
                condition=Q(active_parameters__isnull=True)
                | (Q(active_parameters__gt=0) & Q(active_parameters__lte=F("parameters"))),
                name="model_variant_active_within_total",
                violation_error_message=(
                    "The active parameters are a number above 0 and at most the parameter count."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artifact} {self.name}"


class Source(models.Model):
    """A URL that backs an artifact's facts."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["artifact", "url"], name="source_url_once_per_artifact")
        ]

    def __str__(self) -> str:
        return self.url
