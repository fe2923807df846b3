"""Full-text search: the search document table and each backend's index on it.

The SQL is written out here, not imported, so that this migration keeps doing what it
did when later code changes; `catalog.search.backends` holds the same statements for
`rebuild_search_index`, and a test checks that the two agree.
"""

import django.db.models.deletion
from django.db import migrations, models

INSTALL_SQL = {
    "sqlite": [
        "    CREATE VIRTUAL TABLE catalog_search_fts USING fts5(\n    name, summary, terms, organizations, description,\n    content='catalog_artifactsearchdocument', content_rowid='artifact_id',\n    tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'\n)",
        "    CREATE TRIGGER catalog_search_fts_insert AFTER INSERT ON catalog_artifactsearchdocument BEGIN\n    INSERT INTO catalog_search_fts(rowid, name, summary, terms, organizations, description)\n    VALUES (new.artifact_id, new.name, new.summary, new.terms, new.organizations, new.description);\nEND",
        "    CREATE TRIGGER catalog_search_fts_delete AFTER DELETE ON catalog_artifactsearchdocument BEGIN\n    INSERT INTO catalog_search_fts(catalog_search_fts, rowid, name, summary, terms, organizations, description)\n    VALUES ('delete', old.artifact_id, old.name, old.summary, old.terms, old.organizations, old.description);\nEND",
        "    CREATE TRIGGER catalog_search_fts_update AFTER UPDATE ON catalog_artifactsearchdocument BEGIN\n    INSERT INTO catalog_search_fts(catalog_search_fts, rowid, name, summary, terms, organizations, description)\n    VALUES ('delete', old.artifact_id, old.name, old.summary, old.terms, old.organizations, old.description);\n    INSERT INTO catalog_search_fts(rowid, name, summary, terms, organizations, description)\n    VALUES (new.artifact_id, new.name, new.summary, new.terms, new.organizations, new.description);\nEND",
    ],
    "postgresql": [
        "ALTER TABLE catalog_artifactsearchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', summary || ' ' || terms || ' ' || organizations), 'B') || setweight(to_tsvector('english', description), 'C')) STORED",
        "CREATE INDEX catalog_search_vector ON catalog_artifactsearchdocument USING GIN (vector)",
    ],
}
UNINSTALL_SQL = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS catalog_search_fts_insert",
        "DROP TRIGGER IF EXISTS catalog_search_fts_delete",
        "DROP TRIGGER IF EXISTS catalog_search_fts_update",
        "DROP TABLE IF EXISTS catalog_search_fts",
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS catalog_search_vector",
        "ALTER TABLE catalog_artifactsearchdocument DROP COLUMN IF EXISTS vector",
    ],
}


def install_index(apps, schema_editor):
    for statement in INSTALL_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def uninstall_index(apps, schema_editor):
    for statement in UNINSTALL_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def write_documents(apps, schema_editor):
    from catalog.search.documents import refresh_documents

    artifact = apps.get_model("catalog", "Artifact")
    refresh_documents(artifact.objects.values_list("pk", flat=True), apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArtifactSearchDocument",
            fields=[
                (
                    "artifact",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="catalog.artifact",
                    ),
                ),
                ("name", models.TextField(blank=True)),
                ("summary", models.TextField(blank=True)),
                ("terms", models.TextField(blank=True, help_text="Tags, task and modality names.")),
                (
                    "organizations",
                    models.TextField(blank=True, help_text="Names of its organizations."),
                ),
                ("description", models.TextField(blank=True)),
            ],
            options={"verbose_name": "artifact search document"},
        ),
        migrations.RunPython(install_index, uninstall_index),
        migrations.RunPython(write_documents, migrations.RunPython.noop),
    ]
