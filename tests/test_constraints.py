"""Every invariant that can live in the database does: a violating write is refused by
the database itself, not only by a form."""

import datetime

import pytest
from django.apps import apps
from django.db import DataError, IntegrityError, transaction
from django.db.models import UniqueConstraint

from catalog.models import (
    Artifact,
    ArtifactStatus,
    Contribution,
    ContributionRole,
    License,
    Membership,
    ModelVariant,
    OpennessComponent,
    Organization,
    Relation,
    Source,
    Tag,
    Task,
)
from tests.factories import make_artifact, make_organization, make_user

pytestmark = pytest.mark.django_db


def refused(write, constraint: str) -> None:
    """The write fails in the database, naming `constraint` where the engine says names."""
    with pytest.raises((IntegrityError, DataError)) as caught, transaction.atomic():
        write()
    message = str(caught.value)
    if isinstance(caught.value, DataError):  # PostgreSQL checks a column's length first
        assert "too long" in message
        return
    # PostgreSQL and SQLite name CHECK and partial-index constraints; SQLite names a
    # unique index on plain columns by its columns instead: they must be the constraint's.
    if "UNIQUE constraint failed" in message:
        assert message.split(": ", 1)[1] == ", ".join(unique_columns(constraint)), message
    else:  # a unique field's index is named table_column_key on PostgreSQL
        assert constraint.replace(".", "_") in message, message


def unique_columns(name: str) -> list[str]:
    """`table.column` for each field of the unique constraint or field called `name`
    (a unique field's index is named by Django, so it is given as `table.column`)."""
    if "." in name:
        return [name]
    for model in apps.get_app_config("catalog").get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name and isinstance(constraint, UniqueConstraint):
                table = model._meta.db_table
                return [f"{table}.{model._meta.get_field(f).column}" for f in constraint.fields]
    raise AssertionError(f"No unique constraint {name} in the catalog's models.")


ARTIFACT_UPDATES = [
    ({"slug": "bad--slug"}, "artifact_slug_form"),
    ({"slug": "bad..slug"}, "artifact_slug_form"),
    ({"slug": "has space"}, "artifact_slug_form"),
    ({"slug": "x" * 97}, "artifact_slug_form"),
    ({"namespace": "bad/ns"}, "artifact_namespace_form"),
    ({"kind": "spreadsheet"}, "artifact_kind_valid"),
    ({"status": "secret"}, "artifact_status_valid"),
    ({"status": ArtifactStatus.WITHDRAWN, "withdrawn_reason": ""}, "artifact_withdrawn_has_reason"),
    ({"released_on": datetime.date(2024, 1, 1)}, "artifact_release_date_has_precision"),
    ({"release_precision": "month"}, "artifact_release_date_has_precision"),
    ({"huggingface_repo_id": "https://huggingface.co/x"}, "artifact_huggingface_repo_id_form"),
    ({"openness_class": "IV"}, "artifact_openness_class_valid"),
    ({"published_at": None}, "artifact_public_has_published_at"),
    ({"formats": ["csv"]}, "artifact_dataset_fields_only_on_datasets"),
    ({"size_unit": "tokens"}, "artifact_dataset_fields_only_on_datasets"),
    ({"tool_category": "library"}, "artifact_tool_fields_only_on_tools"),
    ({"programming_languages": ["python"]}, "artifact_tool_fields_only_on_tools"),
]


@pytest.mark.parametrize(("changes", "constraint"), ARTIFACT_UPDATES)
def test_artifact_constraints(changes, constraint):
    artifact = make_artifact(kind="model")
    before = Artifact.objects.filter(pk=artifact.pk).values().get()
    refused(lambda: Artifact.objects.filter(pk=artifact.pk).update(**changes), constraint)
    assert Artifact.objects.filter(pk=artifact.pk).values().get() == before


@pytest.mark.parametrize(
    ("kind", "changes", "constraint"),
    [
        ("dataset", {"architecture": "transformer"}, "artifact_model_fields_only_on_models"),
        ("dataset", {"openness_class": "III"}, "artifact_model_fields_only_on_models"),
        ("tool", {"formats": ["csv"]}, "artifact_dataset_fields_only_on_datasets"),
        ("dataset", {"size_unit": "furlongs", "size_value": 3}, "artifact_dataset_size_has_unit"),
        ("dataset", {"size_value": 3}, "artifact_dataset_size_has_unit"),
        ("dataset", {"size_value": -1, "size_unit": "tokens"}, "artifact_dataset_size_has_unit"),
        ("tool", {"tool_category": "toaster"}, "artifact_tool_category_valid"),
    ],
)
def test_kind_specific_fields(kind, changes, constraint):
    artifact = make_artifact(kind=kind)
    refused(lambda: Artifact.objects.filter(pk=artifact.pk).update(**changes), constraint)


def test_kind_specific_fields_are_accepted_on_their_kind():
    dataset = make_artifact(kind="dataset", formats=["parquet"], size_value=10, size_unit="tokens")
    tool = make_artifact(kind="tool", tool_category="library", programming_languages=["python"])
    model = make_artifact(kind="model", architecture="decoder-only transformer")
    assert {dataset.kind, tool.kind, model.kind} == {"dataset", "tool", "model"}


def test_artifact_id_is_unique():
    artifact = make_artifact("same")
    refused(
        lambda: Artifact.objects.create(
            namespace=artifact.namespace, slug="same", kind="model", name="Again", summary="s"
        ),
        "artifact_id_unique",
    )


def test_one_lead_per_artifact():
    artifact = make_artifact()
    other = make_organization()
    refused(
        lambda: Contribution.objects.create(
            artifact=artifact, organization=other, role=ContributionRole.LEAD
        ),
        "contribution_one_lead_per_artifact",
    )
    assert artifact.contributions.filter(role=ContributionRole.LEAD).count() == 1


def test_contribution_constraints():
    artifact = make_artifact()
    lead = artifact.contributions.get().organization
    refused(
        lambda: Contribution.objects.create(
            artifact=artifact, organization=lead, role="contributor"
        ),
        "contribution_once_per_organization",
    )
    refused(
        lambda: Contribution.objects.create(
            artifact=artifact, organization=make_organization(), role="sponsor"
        ),
        "contribution_role_valid",
    )


def test_organization_constraints():
    refused(
        lambda: Organization.objects.create(slug="Not A Slug", name="x"), "organization_slug_form"
    )
    refused(
        lambda: Organization.objects.create(slug="ok", name="x", kind="club"),
        "organization_kind_valid",
    )
    make_organization("taken")
    refused(
        lambda: Organization.objects.create(slug="taken", name="x"), "catalog_organization.slug"
    )


def test_membership_constraints():
    organization = make_organization()
    user = make_user()
    Membership.objects.create(user=user, organization=organization, role="viewer")
    refused(
        lambda: Membership.objects.create(user=user, organization=organization, role="editor"),
        "membership_one_per_user_and_organization",
    )
    refused(
        lambda: Membership.objects.create(
            user=make_user(), organization=organization, role="owner"
        ),
        "membership_role_valid",
    )


def test_license_constraints():
    refused(
        lambda: License.objects.create(key="X", name="x", category="Nice"), "license_category_valid"
    )
    refused(
        lambda: License.objects.create(key="", name="x", category="Permissive"),
        "license_key_not_empty",
    )


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({}, "relation_target_xor_external"),
        ({"external_name": "The Pile"}, "relation_target_xor_external"),
        ({"external_name": "The Pile", "external_kind": "corpus"}, "relation_target_xor_external"),
        (
            {"relation_type": "inspired_by", "external_name": "x", "external_kind": "model"},
            "relation_type_valid",
        ),
    ],
)
def test_relation_constraints(fields, constraint):
    source = make_artifact()
    fields = {"relation_type": "derived_from", **fields}
    refused(lambda: Relation.objects.create(source=source, **fields), constraint)


def test_relation_external_url_needs_an_external_name():
    source, target = make_artifact(), make_artifact()
    refused(
        lambda: Relation.objects.create(
            source=source, target=target, relation_type="uses", external_url="https://x.org"
        ),
        "relation_external_url_needs_name",
    )


def test_relation_not_to_itself_and_not_twice():
    source = make_artifact()
    target = make_artifact()
    refused(
        lambda: Relation.objects.create(source=source, target=source, relation_type="uses"),
        "relation_not_to_itself",
    )
    refused(
        lambda: Relation.objects.create(
            source=source,
            target=target,
            relation_type="uses",
            external_name="x",
            external_kind="model",
        ),
        "relation_target_xor_external",
    )
    Relation.objects.create(source=source, target=target, relation_type="uses")
    refused(
        lambda: Relation.objects.create(source=source, target=target, relation_type="uses"),
        "relation_unique_to_artifact",
    )
    Relation.objects.create(
        source=source, relation_type="uses", external_name="The Pile", external_kind="dataset"
    )
    refused(
        lambda: Relation.objects.create(
            source=source,
            relation_type="uses",
            external_name="The Pile",
            external_kind="dataset",
        ),
        "relation_unique_to_external",
    )


def test_relation_closing_a_cycle_is_refused_by_the_database(backend):
    """The trigger `relation_no_cycle` (migration 0017) refuses what `check_relation`
    would, for a write that skips it: an insert, or an update moving an edge's ends."""
    a, b, c, d = (make_artifact(f"model-{name}") for name in "abcd")
    Relation.objects.create(source=a, target=b, relation_type="fine_tuned_from")
    Relation.objects.create(source=b, target=c, relation_type="fine_tuned_from")
    refused(
        lambda: Relation.objects.create(source=b, target=a, relation_type="derived_from"),
        "relation_no_cycle",
    )
    refused(
        lambda: Relation.objects.create(source=c, target=a, relation_type="fine_tuned_from"),
        "relation_no_cycle",
    )
    to_d = Relation.objects.create(source=c, target=d, relation_type="fine_tuned_from")
    refused(lambda: Relation.objects.filter(pk=to_d.pk).update(target=a), "relation_no_cycle")
    refused(
        lambda: Relation.objects.filter(pk=to_d.pk).update(source=b, target=a), "relation_no_cycle"
    )
    # Short of a cycle, lineage may join up: a second way from a to d is fine.
    Relation.objects.create(source=a, target=d, relation_type="uses")
    assert set(Relation.objects.values_list("source__slug", "target__slug")) == {
        ("model-a", "model-b"),
        ("model-b", "model-c"),
        ("model-c", "model-d"),
        ("model-a", "model-d"),
    }
    if backend == "postgresql":
        with pytest.raises(IntegrityError) as caught, transaction.atomic():
            Relation.objects.create(source=c, target=a, relation_type="fine_tuned_from")
        assert caught.value.__cause__.diag.constraint_name == "relation_no_cycle"
        assert f"{a} already comes from {c}" in str(caught.value)


def test_model_variant_constraints():
    artifact = make_artifact()
    refused(
        lambda: ModelVariant.objects.create(artifact=artifact, name="0B", parameters=0),
        "model_variant_parameters_positive",
    )
    refused(
        lambda: ModelVariant.objects.create(
            artifact=artifact, name="MoE", parameters=10, active_parameters=11
        ),
        "model_variant_active_within_total",
    )
    ModelVariant.objects.create(artifact=artifact, name="7B", parameters=7)
    refused(
        lambda: ModelVariant.objects.create(artifact=artifact, name="7B", parameters=8),
        "model_variant_name_unique",
    )


def test_openness_component_constraints():
    artifact = make_artifact()
    refused(
        lambda: OpennessComponent.objects.create(artifact=artifact, component="vibes"),
        "openness_component_valid",
    )
    OpennessComponent.objects.create(artifact=artifact, component="model_card")
    refused(
        lambda: OpennessComponent.objects.create(artifact=artifact, component="model_card"),
        "openness_component_once_per_artifact",
    )


def test_source_and_taxonomy_constraints():
    artifact = make_artifact()
    Source.objects.create(artifact=artifact, url="https://example.org/a")
    refused(
        lambda: Source.objects.create(artifact=artifact, url="https://example.org/a"),
        "source_url_once_per_artifact",
    )
    refused(lambda: Task.objects.create(slug="Text Generation", name="x"), "task_slug_form")
    refused(lambda: Tag.objects.create(slug="no spaces please"), "tag_slug_form")
