"""Lineage checks and graph walks.

An edge goes from the derived artifact to what it came from (Code Llama
fine-tuned from Llama 2). Edges must fit the kinds they join and never close a cycle.

Under concurrency the cycle check holds a lock: on PostgreSQL two writers could each
walk the graph, find no cycle, and together commit one (A from B, B from A), since each
walk sees only what was committed before it. `check_relation` takes the lineage lock
first, so the second walk waits for the first writer's commit and sees its edges; the
database's own trigger (migration 0017, `relation_no_cycle`) takes the same lock and
refuses a cycle from any write that skipped this check. On SQLite the catalog's
IMMEDIATE transactions already let one writer in at a time, from BEGIN to commit, so
the walk alone is exact there; the same trigger guards it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import QuerySet

from catalog.models import Artifact, Relation
from catalog.models.relations import check_edge

MAX_DEPTH = 10
# The advisory lock each lineage write holds to its commit on PostgreSQL: "LINEAGE" in
# ASCII. Migration 0017's trigger takes the same lock (a test keeps them equal).
LINEAGE_WRITE_LOCK = 0x4C494E45414745


def check_relation(
    source: Artifact,
    relation_type: str,
    *,
    target: Artifact | None = None,
    external_kind: str = "",
) -> None:
    """Raise ValidationError, by field, if this edge does not fit or would close a cycle."""
    check_edge(source, relation_type, target=target, external_kind=external_kind)
    if target is None or source.pk is None:
        return
    lock_lineage()
    path = path_between(target, source)
    if path is not None:
        chain = " → ".join(str(node) for node in [source, *path])
        raise ValidationError({"target": f"This would make a lineage cycle: {chain}."})


def lock_lineage() -> None:
    """Wait for any other transaction writing lineage to end; keep the others waiting
    until this one ends. Call it inside the write's transaction (on SQLite, the
    transaction is the lock)."""
    connection = connections[router.db_for_write(Relation)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LINEAGE_WRITE_LOCK])


def path_between(start: Artifact, goal: Artifact) -> list[Artifact] | None:
    """A path of edges from `start` to `goal` following lineage upwards, if there is one.

    One query per level, so the cost is bounded by the depth of the graph.
    """
    parents: dict[int, int | None] = {start.pk: None}
    frontier = {start.pk}
    while frontier:
        edges = Relation.objects.filter(source_id__in=frontier, target__isnull=False).values_list(
            "source_id", "target_id"
        )
        next_frontier = set()
        for source_id, target_id in edges:
            if target_id in parents:
                continue
            parents[target_id] = source_id
            if target_id == goal.pk:
                ids = [target_id]
                while parents[ids[-1]] is not None:
                    ids.append(parents[ids[-1]])
                ids.reverse()
                by_id = Artifact.objects.in_bulk(ids)
                return [by_id[i] for i in ids]
            next_frontier.add(target_id)
        frontier = next_frontier
    return None


@dataclass
class LineageGraph:
    """Nodes (artifacts and external works) and typed edges around one artifact."""

    root: Artifact
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[dict] = field(default_factory=list)


def lineage_graph(root: Artifact, *, depth: int, artifacts: QuerySet[Artifact]) -> LineageGraph:
    """Ancestors and descendants of `root` up to `depth` edges away.

    `artifacts` is the QuerySet the caller may see (for example `published()`);
    edges to anything outside it are left out. Two queries per level and direction.
    """
    depth = max(0, min(depth, MAX_DEPTH))
    graph = LineageGraph(root=root)
    graph.nodes[root.repo_id] = _artifact_node(root)
    seen_edges: set[int] = set()
    for upward in (True, False):
        frontier = {root.pk}
        for _ in range(depth):
            if not frontier:
                break
            lookup = {"source_id__in": frontier} if upward else {"target_id__in": frontier}
            relations = (
                Relation.objects.filter(**lookup).select_related("source", "target").order_by("id")
            )
            relations = relations.within(artifacts)
            next_frontier = set()
            for relation in relations:
                if relation.pk in seen_edges:
                    continue
                seen_edges.add(relation.pk)
                neighbour = relation.target if upward else relation.source
                if neighbour is None:
                    node_id = f"external:{relation.external_name}"
                    graph.nodes.setdefault(
                        node_id,
                        {
                            "id": node_id,
                            "name": relation.external_name,
                            "kind": relation.external_kind,
                            "external": True,
                            "url": relation.external_url,
                            "artifact": None,
                        },
                    )
                    target_id = node_id
                else:
                    if neighbour.repo_id not in graph.nodes:
                        graph.nodes[neighbour.repo_id] = _artifact_node(neighbour)
                        next_frontier.add(neighbour.pk)
                    target_id = relation.target.repo_id
                graph.edges.append(
                    {
                        "source": relation.source.repo_id,
                        "target": target_id,
                        "type": relation.relation_type,
                        "label": relation.get_relation_type_display(),
                    }
                )
            frontier = next_frontier
    return graph


def _artifact_node(artifact: Artifact) -> dict:
    return {
        "id": artifact.repo_id,
        "name": artifact.name,
        "kind": artifact.kind,
        "external": False,
        "url": "",
        "artifact": artifact,
    }
