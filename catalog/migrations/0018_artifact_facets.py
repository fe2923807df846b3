"""Each entry's facet values (ArtifactFacet), written by the refresh that writes its
search document, so facet counts read one narrow table (catalog.search.facets)."""

import django.db.models.deletion
from django.db import migrations, models


def write_facets(apps, schema_editor):
    """Every entry's facet values, written as every refresh now writes them."""
    from catalog.search.documents import refresh_documents

    artifact = apps.get_model("catalog", "Artifact")
    refresh_documents(artifact.objects.values_list("pk", flat=True), apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0017_lineage_cycle_guard"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArtifactFacet",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("dimension", models.CharField(max_length=32)),
                ("value", models.CharField(max_length=255)),
                (
                    "artifact",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="facets",
                        to="catalog.artifact",
                    ),
                ),
            ],
            options={
                "verbose_name": "artifact facet value",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("artifact", "dimension", "value"),
                        name="facet_value_once_per_artifact",
                    )
                ],
            },
        ),
        migrations.RunPython(write_facets, migrations.RunPython.noop),
    ]
