"""Print the URL of a reachable PostgreSQL server for the test suite, or nothing.

TEST_DATABASE_URL wins; otherwise the local server on 127.0.0.1:5432 is tried as the
current user and as `postgres`. Django creates and drops its own test database there.
"""

import getpass
import os
import sys

import psycopg


def candidates() -> list[str]:
    if os.environ.get("TEST_DATABASE_URL"):
        return [os.environ["TEST_DATABASE_URL"]]
    users = dict.fromkeys([getpass.getuser(), "postgres"])
    return [f"postgres://{user}@127.0.0.1:5432/postgres" for user in users]


def reachable(url: str) -> str | None:
    """None if a connection works, else why not."""
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip() or type(error).__name__
    return None


def main() -> int:
    explicit = os.environ.get("TEST_DATABASE_URL")
    for url in candidates():
        problem = reachable(url)
        if problem is None:
            print(url)
            return 0
        if explicit:
            # Asked for by name: not finding it is an error, not a quiet skip.
            print(f"TEST_DATABASE_URL is set but unreachable: {problem}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
