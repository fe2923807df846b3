"""The shared vocabulary artifacts are described with: tasks, modalities, languages, tags."""

from django.db import models
from django.db.models import Q

from catalog.identifiers import TAXONOMY_SLUG_PATTERN


class Term(models.Model):
    slug = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Task(Term):
    """What an artifact does or is for: text-generation, image-segmentation, ..."""

    class Meta(Term.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=TAXONOMY_SLUG_PATTERN), name="task_slug_form"
            )
        ]


class Modality(Term):
    """The kind of data: text, image, code, audio, geospatial, ..."""

    class Meta(Term.Meta):
        verbose_name_plural = "modalities"
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=TAXONOMY_SLUG_PATTERN), name="modality_slug_form"
            )
        ]


class Language(Term):
    """A natural language, by its ISO 639-1 code in `slug`."""

    class Meta(Term.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=r"^[a-z]{2,3}$"), name="language_code_form"
            )
        ]


class Tag(models.Model):
    """A free tag; the slug is the tag."""

    slug = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=TAXONOMY_SLUG_PATTERN), name="tag_slug_form"
            )
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def name(self) -> str:
        return self.slug
