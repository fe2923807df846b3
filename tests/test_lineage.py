import importlib

import pytest
from django.core.exceptions import ValidationError

from catalog.lineage import LINEAGE_WRITE_LOCK, check_relation, lineage_graph
from catalog.models import Artifact, Relation
from tests.factories import make_artifact

pytestmark = pytest.mark.django_db


def relate(source, relation_type, target):
    """As the admin, the API, the seeds and imports do: the edge's own checks, then cycles."""
    relation = Relation(source=source, relation_type=relation_type, target=target)
    relation.full_clean()
    check_relation(source, relation_type, target=target)
    relation.save()
    return relation


@pytest.mark.parametrize(
    ("source_kind", "relation_type", "target_kind", "message"),
    [
        ("model", "trained_on", "model", "'trained on' must point to a dataset"),
        ("model", "evaluated_on", "tool", "'evaluated on' must point to a dataset"),
        ("model", "fine_tuned_from", "dataset", "'fine-tuned from' must point to a model"),
        ("dataset", "fine_tuned_from", "model", "Only a model can be 'fine-tuned from'"),
        ("dataset", "trained_on", "dataset", "Only a model can be 'trained on'"),
    ],
)
def test_kind_mismatches_are_rejected(source_kind, relation_type, target_kind, message):
    source = make_artifact(kind=source_kind)
    target = make_artifact(kind=target_kind)
    with pytest.raises(ValidationError) as caught:
        relate(source, relation_type, target)
    assert message in str(caught.value)
    assert not Relation.objects.exists()


@pytest.mark.parametrize(
    ("source_kind", "relation_type", "target_kind"),
    [
        ("model", "trained_on", "dataset"),
        ("model", "fine_tuned_from", "model"),
        ("dataset", "derived_from", "dataset"),
        ("tool", "uses", "model"),
        ("tool", "evaluated_on", "dataset"),
    ],
)
def test_fitting_kinds_are_accepted(source_kind, relation_type, target_kind):
    relate(make_artifact(kind=source_kind), relation_type, make_artifact(kind=target_kind))
    assert Relation.objects.count() == 1


def test_external_targets_are_checked_by_their_kind():
    model = make_artifact(kind="model")
    with pytest.raises(ValidationError, match="must point to a dataset"):
        check_relation(model, "trained_on", external_kind="model")
    check_relation(model, "trained_on", external_kind="dataset")


def test_cycles_are_rejected_with_the_path():
    a, b, c = (make_artifact(f"node-{n}", kind="model") for n in "abc")
    relate(b, "fine_tuned_from", a)
    relate(c, "fine_tuned_from", b)
    with pytest.raises(ValidationError) as caught:
        relate(a, "distilled_from", c)
    assert "lineage cycle" in str(caught.value)
    assert all(str(x) in str(caught.value) for x in (a, b, c))
    assert Relation.objects.count() == 2


def test_self_relation_is_rejected():
    a = make_artifact(kind="model")
    with pytest.raises(ValidationError, match="itself"):
        relate(a, "derived_from", a)


def test_graph_walks_both_ways_and_hides_what_the_reader_may_not_see():
    base = make_artifact("base", kind="model")
    tuned = make_artifact("tuned", kind="model")
    secret = make_artifact("secret", kind="model", status="draft")
    data = make_artifact("data", kind="dataset")
    relate(tuned, "fine_tuned_from", base)
    relate(secret, "fine_tuned_from", tuned)
    relate(base, "trained_on", data)
    Relation.objects.create(
        source=data,
        relation_type="derived_from",
        external_name="The Pile",
        external_kind="dataset",
    )
    graph = lineage_graph(tuned, depth=5, artifacts=Artifact.objects.published())
    assert set(graph.nodes) == {str(tuned), str(base), str(data), "external:The Pile"}
    assert {(e["source"], e["type"], e["target"]) for e in graph.edges} == {
        (str(tuned), "fine_tuned_from", str(base)),
        (str(base), "trained_on", str(data)),
        (str(data), "derived_from", "external:The Pile"),
    }
    shallow = lineage_graph(tuned, depth=1, artifacts=Artifact.objects.all())
    assert set(shallow.nodes) == {str(tuned), str(base), str(secret)}


def test_the_trigger_takes_the_lock_check_relation_takes():
    """Migration 0017's trigger and `check_relation` serialize lineage writes on one key."""
    migration = importlib.import_module("catalog.migrations.0017_lineage_cycle_guard")
    (function, _) = migration.INSTALL_SQL["postgresql"]
    assert f"pg_advisory_xact_lock({LINEAGE_WRITE_LOCK})" in function
