"""The database refuses a lineage edge that closes a cycle: the trigger `relation_no_cycle`.

`catalog.lineage.check_relation` walks the graph before every write of an edge, with a
message that names the whole chain; this trigger is the last word, for a write that
skipped that check and for writers racing on PostgreSQL. There it first takes the
lineage lock (`catalog.lineage.LINEAGE_WRITE_LOCK`, held to commit), so lineage writes
go one at a time; the walk after it then sees every edge committed before (READ
COMMITTED reads afresh with each statement of a function). On SQLite the IMMEDIATE
transactions already let one writer in at a time.

The walk follows edges upwards, as `path_between` does: if the new edge's target
already comes from its source, the edge closes a cycle. The SQL is written out here
so that this migration keeps doing what it did; a test checks the lock's key against
`catalog.lineage`. On SQLite, a later migration that rebuilds `catalog_relation` (as
most field changes there do) drops these triggers: it must make them again, as 0014
does for the search triggers (the constraint tests would fail otherwise).
"""

from django.db import migrations

# Whether the new edge's target already comes from its source, walking upwards.
CLOSES_A_CYCLE = """EXISTS (
    WITH RECURSIVE upward(artifact_id) AS (
        SELECT NEW.target_id
        UNION
        SELECT relation.target_id
        FROM catalog_relation AS relation JOIN upward ON relation.source_id = upward.artifact_id
        WHERE relation.target_id IS NOT NULL
    )
    SELECT 1 FROM upward WHERE artifact_id = NEW.source_id
)"""
INSTALL_SQL = {
    "postgresql": [
        f"""CREATE FUNCTION catalog_relation_no_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    source_name text;
    target_name text;
BEGIN
    PERFORM pg_advisory_xact_lock(21472698748192581);  -- 0x4C494E45414745, "LINEAGE"
    IF {CLOSES_A_CYCLE} THEN
        SELECT namespace || '/' || slug INTO source_name FROM catalog_artifact
        WHERE id = NEW.source_id;
        SELECT namespace || '/' || slug INTO target_name FROM catalog_artifact
        WHERE id = NEW.target_id;
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'relation_no_cycle',
            MESSAGE = 'relation_no_cycle: an edge from ' || source_name || ' to '
                || target_name || ' would make a lineage cycle (' || target_name
                || ' already comes from ' || source_name || ').';
    END IF;
    RETURN NULL;
END
$$""",
        """CREATE TRIGGER relation_no_cycle
AFTER INSERT OR UPDATE OF source_id, target_id ON catalog_relation
FOR EACH ROW WHEN (NEW.target_id IS NOT NULL)
EXECUTE FUNCTION catalog_relation_no_cycle()""",
    ],
    "sqlite": [
        f"""CREATE TRIGGER relation_no_cycle_{event}
AFTER {event.upper()}{columns} ON catalog_relation
WHEN new.target_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'relation_no_cycle: this edge would make a lineage cycle.')
    WHERE {CLOSES_A_CYCLE};
END"""
        for event, columns in (("insert", ""), ("update", " OF source_id, target_id"))
    ],
}
UNINSTALL_SQL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS relation_no_cycle ON catalog_relation",
        "DROP FUNCTION IF EXISTS catalog_relation_no_cycle()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS relation_no_cycle_insert",
        "DROP TRIGGER IF EXISTS relation_no_cycle_update",
    ],
}


def install_guard(apps, schema_editor):
    for statement in INSTALL_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def uninstall_guard(apps, schema_editor):
    for statement in UNINSTALL_SQL[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0016_membership_history_token"),
    ]

    operations = [
        migrations.RunPython(install_guard, uninstall_guard),
    ]
