"""Full-text search with filters, facets and ordering: one interface, two backends.

- `query.run_search(params, user, facets=...)`: the entry point for the API and the
  web pages (its contract is in catalog/search/query.py and docs/api.md).
- `filters.ArtifactFilterSet`: every filter, validated, with per-parameter errors.
- `syntax.parse_query`: what a researcher types, parsed safely.
- `reading.read_query`: what the words ask for: kinds, common words, joined/split names.
- `vocabulary`: the index's own words, for "did you mean".
- `backends`: SQLite FTS5 or PostgreSQL tsvector + GIN, chosen by `connection.vendor`.
- `documents`: the per-artifact search documents the indexes are built from.
- `facets`: counts under the other filters, cached when they depend on none.
"""
