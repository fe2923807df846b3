"""Search that forgives: the index's vocabulary for "did you mean", the licenses'
categories in the search documents, and an index for name order as people read it.

The SQL is written out here, not imported, so that this migration keeps doing what it
did when later code changes; `catalog.search.vocabulary` holds the same statements and
a test checks that the two agree. pg_trgm is a trusted extension (PostgreSQL 13+): the
database owner may create it without being a superuser.
"""

from django.db import migrations

VOCABULARY_INSTALL_SQL = {
    "sqlite": [
        "CREATE TABLE catalog_search_vocabulary (word TEXT PRIMARY KEY) WITHOUT ROWID",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE catalog_search_vocabulary (word text PRIMARY KEY)",
        "CREATE INDEX catalog_search_vocabulary_trgm ON catalog_search_vocabulary "
        "USING GIN (word gin_trgm_ops)",
    ],
}
VOCABULARY_UNINSTALL_SQL = {
    "sqlite": ["DROP TABLE IF EXISTS catalog_search_vocabulary"],
    "postgresql": ["DROP TABLE IF EXISTS catalog_search_vocabulary"],
}
# Name order ignores case ("AMD-OLMo" after "Adversarial"); the same on both engines.
NAME_ORDER_INDEX = (
    "CREATE INDEX catalog_artifact_folded_name ON catalog_artifact (lower(name), namespace, slug)"
)


def install(apps, schema_editor):
    for statement in VOCABULARY_INSTALL_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement)
    schema_editor.execute(NAME_ORDER_INDEX)


def uninstall(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS catalog_artifact_folded_name")
    for statement in VOCABULARY_UNINSTALL_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def rewrite_documents(apps, schema_editor):
    """The documents now hold license categories; the vocabulary starts from them."""
    from catalog.search import vocabulary
    from catalog.search.documents import DOCUMENT_FIELDS, refresh_documents

    artifact = apps.get_model("catalog", "Artifact")
    document = apps.get_model("catalog", "ArtifactSearchDocument")
    refresh_documents(artifact.objects.values_list("pk", flat=True), apps=apps)
    rows = document.objects.values_list(*DOCUMENT_FIELDS)
    vocabulary.add_words(vocabulary.words_of(text for row in rows.iterator() for text in row))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_entry_verbose_names"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunPython(rewrite_documents, migrations.RunPython.noop),
    ]
