"""Long commands show their progress and the time left on a terminal, and nothing in a
pipe: run as a person runs them, with standard error on a pseudo-terminal."""

from tests.commands import manage, manage_on_a_terminal


def test_generate_and_reindex_show_progress_and_time_left_only_on_a_terminal(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    manage(database, "migrate", "--noinput", "-v0")

    shown = manage_on_a_terminal(database, "generate_catalog", "--artifacts", "1200")
    assert "Generating entries:" in shown
    assert "1200/1200 [" in shown  # the count, then the time taken and the rate
    assert "\r" in shown  # one line, redrawn

    shown = manage_on_a_terminal(database, "rebuild_search_index")
    assert "Indexing entries:" in shown
    assert "/1200 [" in shown  # done of total, then time taken < time left

    piped = manage(database, "rebuild_search_index")
    assert "Indexing entries" not in piped.stderr
    assert piped.stdout.strip() == "Rebuilt the search index: 1200 artifacts."
