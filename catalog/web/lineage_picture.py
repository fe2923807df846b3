"""Lineage drawn as a picture: a small server-rendered SVG, ancestors left, descendants right.

The SVG is a picture for sighted readers; the page also lists the same edges as an
HTML tree of links, which is what screen readers and the keyboard use.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from catalog.lineage import LineageGraph
from catalog.models import Artifact, Relation, RelationType

NODE_WIDTH = 190
NODE_HEIGHT = 46
COLUMN_GAP = 120
ROW_GAP = 16
MARGIN = 12
MAX_NAME = 24


@dataclass(frozen=True)
class PlacedNode:
    id: str
    name: str
    kind: str
    external: bool
    url: str
    level: int
    x: int
    y: int
    is_root: bool


def node_levels(graph: LineageGraph) -> dict[str, int]:
    """The column of each node: 0 for the root, -n for ancestors, +n for descendants."""
    root = graph.root.repo_id
    levels = {root: 0}
    changed = True
    # Edges point from the derived artifact (source) to what it came from (target).
    while changed:
        changed = False
        for edge in graph.edges:
            source, target = edge["source"], edge["target"]
            if source in levels and target not in levels:
                levels[target] = levels[source] - 1
                changed = True
            elif target in levels and source not in levels:
                levels[source] = levels[target] + 1
                changed = True
    return levels


def place_nodes(graph: LineageGraph, urls: dict[str, str]) -> list[PlacedNode]:
    levels = node_levels(graph)
    columns: dict[int, list[str]] = defaultdict(list)
    for node_id in graph.nodes:
        if node_id in levels:
            columns[levels[node_id]].append(node_id)
    if not columns:
        return []
    lowest = min(columns)
    tallest = max(len(ids) for ids in columns.values())
    height = tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP
    placed = []
    for level, ids in sorted(columns.items()):
        ids.sort(key=lambda node_id: graph.nodes[node_id]["name"].lower())
        column_height = len(ids) * (NODE_HEIGHT + ROW_GAP) - ROW_GAP
        top = MARGIN + (height - column_height) // 2
        for row, node_id in enumerate(ids):
            node = graph.nodes[node_id]
            placed.append(
                PlacedNode(
                    id=node_id,
                    name=node["name"],
                    kind=node["kind"],
                    external=node["external"],
                    url=urls.get(node_id, node["url"]),
                    level=level,
                    x=MARGIN + (level - lowest) * (NODE_WIDTH + COLUMN_GAP),
                    y=top + row * (NODE_HEIGHT + ROW_GAP),
                    is_root=node_id == graph.root.repo_id,
                )
            )
    return placed


def lineage_svg(graph: LineageGraph, urls: dict[str, str]) -> SafeString:
    """The picture, or an empty string when the artifact has no lineage to draw."""
    if not graph.edges:
        return mark_safe("")
    placed = place_nodes(graph, urls)
    by_id = {node.id: node for node in placed}
    width = max(node.x for node in placed) + NODE_WIDTH + MARGIN
    height = max(node.y for node in placed) + NODE_HEIGHT + MARGIN
    edges = []
    for edge in graph.edges:
        derived, origin = by_id.get(edge["source"]), by_id.get(edge["target"])
        if derived is None or origin is None:
            continue
        # Drawn from what it came from (left) to what was derived (right), so the label
        # reads in that direction too: "Llama 2 fine-tuned into Code Llama".
        label = RelationType(edge["type"]).inverse_label
        x1, y1 = origin.x + NODE_WIDTH, origin.y + NODE_HEIGHT // 2
        x2, y2 = derived.x, derived.y + NODE_HEIGHT // 2
        middle = (x1 + x2) // 2
        edges.append(
            format_html(
                '<g class="lineage-edge"><title>{} {} {}</title>'
                '<path d="M{} {} C{} {} {} {} {} {}" marker-end="url(#lineage-arrow)"/>'
                '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
                origin.name,
                label,
                derived.name,
                x1,
                y1,
                middle,
                y1,
                middle,
                y2,
                x2 - 4,
                y2,
                middle,
                (y1 + y2) // 2 - 5,
                label,
            )
        )
    nodes = [_node_svg(node) for node in placed]
    return format_html(
        '<svg class="lineage-picture" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" aria-hidden="true" focusable="false">'
        '<defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0 0 L10 5 L0 10 z"/></marker></defs>{edges}{nodes}</svg>',
        w=width,
        h=height,
        edges=mark_safe("".join(edges)),  # noqa: S308 - each part built by format_html
        nodes=mark_safe("".join(nodes)),  # noqa: S308 - each part built by format_html
    )


def _node_svg(node: PlacedNode) -> SafeString:
    classes = ["lineage-node", f"kind-{node.kind or 'unknown'}"]
    if node.external:
        classes.append("external")
    if node.is_root:
        classes.append("root")
    name = node.name if len(node.name) <= MAX_NAME else node.name[: MAX_NAME - 1] + "…"
    caption = ("not in the catalog · " if node.external else "") + (node.kind or "work")
    body = format_html(
        '<title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="8"/>'
        '<text class="name" x="{}" y="{}">{}</text><text class="caption" x="{}" y="{}">{}</text>',
        node.name, node.x, node.y, NODE_WIDTH, NODE_HEIGHT,
        node.x + 10, node.y + 20, name, node.x + 10, node.y + 36, caption,
    )  # fmt: skip
    if node.url and not node.is_root:
        # Not in the tab order: the HTML tree beside the picture carries the same links.
        body = format_html('<a href="{}" tabindex="-1">{}</a>', node.url, body)
    return format_html('<g class="{}">{}</g>', " ".join(classes), body)


def lineage_lists(graph: LineageGraph) -> tuple[list[dict], list[dict]]:
    """The edges around the root as (upstream, downstream) lists of nested items."""
    root = graph.root.repo_id
    outgoing: dict[str, list[dict]] = defaultdict(list)
    incoming: dict[str, list[dict]] = defaultdict(list)
    for edge in graph.edges:
        outgoing[edge["source"]].append(edge)
        incoming[edge["target"]].append(edge)

    def walk(node_id: str, upward: bool, seen: frozenset[str]) -> list[dict]:
        items = []
        for edge in (outgoing if upward else incoming)[node_id]:
            other = edge["target"] if upward else edge["source"]
            if other in seen:
                continue
            also = []
            if upward:
                # Other entries that came from the same work: Prithvi and HLS Burn Scars
                # both come from NASA's HLS imagery.
                also = [
                    {
                        "label": RelationType(e["type"]).inverse_label,
                        "node": graph.nodes[e["source"]],
                    }
                    for e in incoming[other]
                    if e["source"] not in seen and e["source"] != node_id
                ]
            items.append(
                {
                    "label": edge["label"] if upward else RelationType(edge["type"]).inverse_label,
                    "node": graph.nodes[other],
                    "children": walk(other, upward, seen | {other}),
                    "also": also,
                }
            )
        return items

    return walk(root, True, frozenset({root})), walk(root, False, frozenset({root}))


def add_shared_sources(graph: LineageGraph, artifacts: QuerySet[Artifact]) -> None:
    """Add the entries of `artifacts` that come from the same external works as the graph.

    An external work (NASA's HLS imagery, CommonCrawl) is not in the catalog, so the
    lineage walk stops there; one more query finds its other derivatives. Each becomes
    an edge into the external node.
    """
    external = {node["name"]: node_id for node_id, node in graph.nodes.items() if node["external"]}
    if not external:
        return
    relations = (
        Relation.objects.filter(
            target__isnull=True, external_name__in=list(external), source__in=artifacts
        )
        .select_related("source")
        .order_by("source__name", "id")
    )
    known = {(e["source"], e["target"], e["type"]) for e in graph.edges}
    for relation in relations:
        source, target = relation.source, external[relation.external_name]
        if (source.repo_id, target, relation.relation_type) in known:
            continue
        graph.nodes.setdefault(
            source.repo_id,
            {
                "id": source.repo_id,
                "name": source.name,
                "kind": source.kind,
                "external": False,
                "url": "",
                "artifact": source,
            },
        )
        graph.edges.append(
            {
                "source": source.repo_id,
                "target": target,
                "type": relation.relation_type,
                "label": relation.get_relation_type_display(),
            }
        )
