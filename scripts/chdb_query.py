"""Runs one SQL statement (read from stdin) on chdb, the embedded ClickHouse, and prints the
result as JSONEachRow. Used by nno-obs-logs' differential test (tests/clickhouse.rs)."""
import sys

import chdb

result = chdb.query(sys.stdin.read(), "JSONEachRow")
sys.stdout.write(str(result))
