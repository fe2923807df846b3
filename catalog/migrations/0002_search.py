"""Full-text search: the search document table and each backend's index on it."""

import django.db.models.deletion
from django.db import migrations, models


def install_index(apps, schema_editor):
    from catalog.search.backends import for_vendor

    for statement in for_vendor(schema_editor.connection.vendor).install_sql:
        schema_editor.execute(statement)


def uninstall_index(apps, schema_editor):
    from catalog.search.backends import for_vendor

    for statement in for_vendor(schema_editor.connection.vendor).uninstall_sql:
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
