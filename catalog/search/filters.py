"""The search filters: every parameter validated, values OR'ed, filters AND'ed.

Each filter repeats (`?task=text-generation&task=summarization` is either task) and
joins through a subquery, so no filter duplicates rows or needs DISTINCT. An unknown
value is an error naming the value, never an empty result that looks like an answer.
"""

from __future__ import annotations

import copy
import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Contribution,
    Language,
    License,
    LicenseCategory,
    Modality,
    ModelVariant,
    OpennessClass,
    Organization,
    Relation,
    RelationType,
    Tag,
    Task,
)

BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
# The form of a parameter count, also the pattern the OpenAPI schema gives for it.
PARAMETER_COUNT_PATTERN = r"^\s*(\d+(?:\.\d+)?)\s*([kKmMbBtT]?)\s*$"
_PARAMETER_COUNT = re.compile(PARAMETER_COUNT_PATTERN)
_MULTIPLIERS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


class ParameterCountField(forms.Field):
    """A parameter count: 7000000000, or with a suffix as people write it: 7B, 1.5b, 400M."""

    default_error_messages = {
        "invalid": "Enter a number of parameters, e.g. 7000000000 or 7B.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        match = _PARAMETER_COUNT.match(str(value))
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        number, suffix = match.groups()
        if len(number) > 20:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(float(number) * _MULTIPLIERS[suffix.lower()])


class ParameterCountFilter(django_filters.Filter):
    field_class = ParameterCountField


class ArtifactIdsField(django_filters.fields.ModelMultipleChoiceField):
    """Entry ids (`<namespace>/<slug>`) of rows in the queryset; unknown ones are errors."""

    def _check_values(self, value):
        wanted = {str(v) for v in value}
        matching = Q(pk__in=[])
        for repo_id in wanted:
            namespace, _, slug = repo_id.partition("/")
            matching |= Q(namespace=namespace, slug=slug)
        found = list(self.queryset.filter(matching))
        known = {artifact.repo_id for artifact in found}
        for repo_id in sorted(wanted - known):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": repo_id},
            )
        return found


class ArtifactIdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ArtifactIdsField


class TermFilter(django_filters.ModelMultipleChoiceFilter):
    """Values are slugs (or keys) of existing rows; unknown ones are errors."""

    def __init__(self, *args, through_field: str, **kwargs):
        self.through_field = through_field
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)

    def filter(self, queryset: QuerySet, value) -> QuerySet:
        if not value:
            return queryset
        through = getattr(Artifact, self.field_name).through
        links = through.objects.filter(**{f"{self.through_field}__in": value})
        return queryset.filter(pk__in=links.values("artifact_id"))


def commercial_use_condition(answer: str) -> Q:
    """Entries whose license answers "may I use it commercially?" with `answer`.

    "true": every license part allows it; "false": some part forbids it. Entries with
    no license, or whose licenses leave it open, match neither.
    """
    # Correlated EXISTS, which the planner may run as a join either way; `pk IN (...)`,
    # with NOT IN, made PostgreSQL hash every license link for a search of three entries.
    links = Artifact.licenses.through.objects.filter(artifact_id=OuterRef("pk"))
    if answer == "false":
        return Q(Exists(links.filter(license__commercial_use=False)))
    not_known_to_allow = links.filter(
        Q(license__commercial_use=False) | Q(license__commercial_use__isnull=True)
    )
    return Q(Exists(links)) & ~Q(Exists(not_known_to_allow))


class ArtifactFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(
        field_name="kind",
        lookup_expr="exact",
        choices=ArtifactKind.choices,
        distinct=False,
        help_text="model, dataset or tool.",
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="status",
        lookup_expr="exact",
        choices=ArtifactStatus.choices,
        distinct=False,
        help_text="Members only: their own organizations' entries in this status "
        "(e.g. draft). Everyone else sees published and deprecated entries.",
    )
    organization = django_filters.ModelMultipleChoiceFilter(
        field_name="contributions__organization",
        queryset=Organization.objects.all(),
        to_field_name="slug",
        method="filter_organization",
        help_text="Organization slug, as lead or contributor, e.g. ibm.",
    )
    license = django_filters.ModelMultipleChoiceFilter(
        field_name="licenses",
        queryset=License.objects.all(),
        to_field_name="key",
        method="filter_license",
        help_text="License key, one part of the expression, e.g. Apache-2.0.",
    )
    license_category = django_filters.MultipleChoiceFilter(
        field_name="licenses__category",
        lookup_expr="exact",
        choices=LicenseCategory.choices,
        method="filter_license_category",
        help_text="ScanCode license category, e.g. Permissive.",
    )
    commercial_use = django_filters.MultipleChoiceFilter(
        field_name="licenses__commercial_use",
        lookup_expr="exact",
        choices=BOOLEAN_CHOICES,
        method="filter_commercial_use",
        help_text="true: every license part allows commercial use; "
        "false: some part forbids it. Entries whose licenses are unknown match neither.",
    )
    openness_class = django_filters.MultipleChoiceFilter(
        field_name="openness_class",
        lookup_expr="exact",
        choices=OpennessClass.choices,
        distinct=False,
        help_text="Model Openness Framework class: I, II or III (models only).",
    )
    task = TermFilter(
        field_name="tasks",
        through_field="task",
        queryset=Task.objects.all(),
        help_text="Task slug, e.g. text-generation.",
    )
    modality = TermFilter(
        field_name="modalities",
        through_field="modality",
        queryset=Modality.objects.all(),
        help_text="Modality slug, e.g. text.",
    )
    language = TermFilter(
        field_name="languages",
        through_field="language",
        queryset=Language.objects.all(),
        help_text="ISO 639-1 language code, e.g. en.",
    )
    tag = TermFilter(
        field_name="tags",
        through_field="tag",
        queryset=Tag.objects.all(),
        help_text="Free tag, e.g. open-weights.",
    )
    released_after = django_filters.DateFilter(
        field_name="released_on",
        lookup_expr="gte",
        help_text="Released on or after this date (YYYY-MM-DD).",
    )
    released_before = django_filters.DateFilter(
        field_name="released_on",
        lookup_expr="lte",
        help_text="Released on or before this date (YYYY-MM-DD).",
    )
    min_parameters = ParameterCountFilter(
        field_name="variants__parameters",
        lookup_expr="gte",
        method="filter_parameter_range",
        help_text="Models with a variant of at least this many parameters (7000000000 or 7B).",
    )
    max_parameters = ParameterCountFilter(
        field_name="variants__parameters",
        lookup_expr="lte",
        method="filter_parameter_range",
        help_text="Models with a variant of at most this many parameters (13000000000 or 13B).",
    )
    has_huggingface = django_filters.MultipleChoiceFilter(
        field_name="huggingface_repo_id",
        lookup_expr="exact",
        choices=BOOLEAN_CHOICES,
        method="filter_has_huggingface",
        help_text="true: entries with a Hugging Face repository; false: those without.",
    )

    trained_on = ArtifactIdsFilter(
        field_name="relations",
        queryset=Artifact.objects.published().filter(kind=ArtifactKind.DATASET),
        method="filter_trained_on",
        help_text="Models trained on this published dataset, by its id, "
        "e.g. hugging-face/the-stack (the lineage's 'trained on').",
    )

    class Meta:
        model = Artifact
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # Instead of BaseFilterSet.__init__, whose deep copy of every declared filter
        # (with the querysets they hold) was a third of a plain search's Python time.
        # A filter's state per request is its `model`, `parent`, `extra` (into which it
        # writes its queryset), the form field it caches on itself and, for filters with
        # a `method`, the FilterMethod bound to it: a shallow copy that gets its own
        # `extra` and binds its method again keeps requests apart as well.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = Artifact.objects.all() if queryset is None else queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, declared in self.base_filters.items():
            filter_ = copy.copy(declared)
            filter_.extra = dict(declared.extra)
            filter_.method = declared.method  # binds a FilterMethod to the copy
            filter_.model = self.queryset.model
            filter_.parent = self
            self.filters[name] = filter_

    def filter_organization(self, queryset, name, value):
        contributions = Contribution.objects.filter(organization__in=value)
        return queryset.filter(pk__in=contributions.values("artifact_id"))

    def filter_license(self, queryset, name, value):
        links = Artifact.licenses.through.objects.filter(license__in=value)
        return queryset.filter(pk__in=links.values("artifact_id"))

    def filter_license_category(self, queryset, name, value):
        links = Artifact.licenses.through.objects.filter(license__category__in=value)
        return queryset.filter(pk__in=links.values("artifact_id"))

    def filter_commercial_use(self, queryset, name, value):
        wanted = Q()
        for answer in value:
            wanted |= commercial_use_condition(answer)
        return queryset.filter(wanted)

    def filter_has_huggingface(self, queryset, name, value):
        if set(value) == {"true", "false"}:
            return queryset
        if "true" in value:
            return queryset.exclude(huggingface_repo_id="")
        return queryset.filter(huggingface_repo_id="")

    def filter_trained_on(self, queryset, name, value):
        edges = Relation.objects.filter(relation_type=RelationType.TRAINED_ON, target__in=value)
        return queryset.filter(pk__in=edges.values("source_id"))

    def filter_parameter_range(self, queryset, name, value):
        # min and max bound the same variant: a 7B-70B family is not "between 10B and
        # 20B". So both bounds are applied together, once, whichever filter calls.
        bounds = {}
        low = self.form.cleaned_data.get("min_parameters")
        high = self.form.cleaned_data.get("max_parameters")
        if low is not None:
            bounds["parameters__gte"] = low
        if high is not None:
            bounds["parameters__lte"] = high
        variants = ModelVariant.objects.filter(**bounds)
        return queryset.filter(pk__in=variants.values("artifact_id"))

    def is_valid(self) -> bool:
        # No filter parameter, nothing to check: skip building the form (most of the cost).
        if not any(name in self.data for name in self.filters):
            return True
        return super().is_valid()

    def filter_queryset(self, queryset: QuerySet, *, without: str | None = None) -> QuerySet:
        """All active filters, or all but `without` (for that filter's facet counts)."""
        active = self.active
        for name in active:
            if name == without or (name == "max_parameters" and "min_parameters" in active):
                continue
            queryset = self.filters[name].filter(queryset, self.form.cleaned_data[name])
        return queryset

    @property
    def active(self) -> list[str]:
        """The names of the filters given a value, in declaration order."""
        return [
            name
            for name in self.filters
            if any(str(value).strip() for value in self.data.getlist(name))
        ]
