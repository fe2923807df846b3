"""Each search document holds its entry's result card (catalog.search.cards).

On SQLite, adding a NOT NULL column rebuilds the document table, which drops the
triggers that keep the FTS5 index in step with it (migration 0002): they are made
again here, as 0002 wrote them. PostgreSQL adds the column in place.
"""

from django.db import migrations, models

SQLITE_TRIGGERS = [
    "    CREATE TRIGGER catalog_search_fts_insert AFTER INSERT ON catalog_artifactsearchdocument BEGIN\n    INSERT INTO catalog_search_fts(rowid, name, summary, terms, organizations, description)\n    VALUES (new.artifact_id, new.name, new.summary, new.terms, new.organizations, new.description);\nEND",
    "    CREATE TRIGGER catalog_search_fts_delete AFTER DELETE ON catalog_artifactsearchdocument BEGIN\n    INSERT INTO catalog_search_fts(catalog_search_fts, rowid, name, summary, terms, organizations, description)\n    VALUES ('delete', old.artifact_id, old.name, old.summary, old.terms, old.organizations, old.description);\nEND",
    "    CREATE TRIGGER catalog_search_fts_update AFTER UPDATE ON catalog_artifactsearchdocument BEGIN\n    INSERT INTO catalog_search_fts(catalog_search_fts, rowid, name, summary, terms, organizations, description)\n    VALUES ('delete', old.artifact_id, old.name, old.summary, old.terms, old.organizations, old.description);\n    INSERT INTO catalog_search_fts(rowid, name, summary, terms, organizations, description)\n    VALUES (new.artifact_id, new.name, new.summary, new.terms, new.organizations, new.description);\nEND",
]
SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS catalog_search_fts_insert",
    "DROP TRIGGER IF EXISTS catalog_search_fts_delete",
    "DROP TRIGGER IF EXISTS catalog_search_fts_update",
]


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in [*SQLITE_DROP_TRIGGERS, *SQLITE_TRIGGERS]:
        schema_editor.execute(statement)


def write_cards(apps, schema_editor):
    """Every document gets its entry's card, written as every refresh now writes it."""
    from catalog.search.documents import refresh_documents

    artifact = apps.get_model("catalog", "Artifact")
    refresh_documents(artifact.objects.values_list("pk", flat=True), apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0013_contribution_order_as_people_read"),
    ]

    operations = [
        # Backwards, removing the column rebuilds the table too: the triggers come back
        # after it (reverse operations run last to first).
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AddField(
            model_name="artifactsearchdocument",
            name="card",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="What a list shows of it (catalog.search.cards).",
            ),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(write_cards, migrations.RunPython.noop),
    ]
