"""benchmarks/loadtest.py's own arithmetic: which fault a failure is counted against,
when the service counts as recovered, and that its report replaces only its own section.
(`make loadtest` itself restarts PostgreSQL and Redis, so it is not part of the suite.)"""

from benchmarks import loadtest
from benchmarks.loadtest import Answer, summarise

FAULTS = [(15.0, "killed a worker"), (30.0, "restarted Redis"), (45.0, "restarted PostgreSQL")]


def answers(*failed: tuple[float, float, int]) -> list[Answer]:
    """Successes every half second, and the failures given as (start, seconds, status)."""
    ok = [Answer(t / 2, "API: entry", 0.01, 200) for t in range(120)]
    return ok + [Answer(at, "API: entry", seconds, status) for at, seconds, status in failed]


def test_a_failure_counts_against_the_fault_in_force_when_it_was_answered():
    # Asked before PostgreSQL restarted, answered 503 after: PostgreSQL's, not Redis's.
    report = summarise(answers((44.0, 1.5, 503)), 60, 32, FAULTS, ["a"])
    redis, postgres = report["faults"][1], report["faults"][2]
    assert redis["failed"] == 0
    assert postgres["failed"] == 1
    assert postgres["kinds"] == {"503": 1}
    assert postgres["recovered_after"] == 0.5
    assert all(window["recovered"] for window in report["faults"])


def test_failures_until_the_next_fault_mean_not_recovered():
    report = summarise(answers((16.0, 0.1, 0), (29.5, 0.1, 502)), 60, 32, FAULTS, [])
    worker = report["faults"][0]
    assert worker["failed"] == 2
    assert not worker["recovered"]
    assert report["error_kinds"] == {"0": 1, "502": 1}


def test_latencies_are_of_successful_answers_only():
    report = summarise(answers((10.0, 30.0, 0)), 60, 32, [], [])
    assert report["all"]["errors"] == 1
    assert report["all"]["p99"] == 10.0  # ms: the 30 s failure is not a latency


def test_the_report_replaces_only_its_own_section(tmp_path, monkeypatch):
    report = tmp_path / "benchmarks.md"
    report.write_text(
        "# Benchmarks\n\nmeasured\n\n<!-- kept by make bench -->\n## Exact search\n\nkept\n\n"
        f"{loadtest.HEADING}\n\nold figures\n\n## Later notes\n\nalso kept\n"
    )
    monkeypatch.setattr(loadtest, "REPORT", report)
    monkeypatch.setattr(loadtest, "ROOT", tmp_path)
    loadtest.write_report([loadtest.HEADING, "", "new figures"])
    text = report.read_text()
    assert "old figures" not in text
    assert text.count(loadtest.HEADING) == 1
    for kept in (
        "measured",
        "## Exact search\n\nkept",
        "new figures",
        "## Later notes\n\nalso kept",
    ):
        assert kept in text
    assert (
        text.index("measured")
        < text.index("<!-- kept by make bench -->")
        < text.index("new figures")
    )
