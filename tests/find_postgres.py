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


def main() -> int:
    for url in candidates():
        try:
            with psycopg.connect(url, connect_timeout=3) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error:
            continue
        print(url)
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
