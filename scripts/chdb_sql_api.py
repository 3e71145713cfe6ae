"""Answers one Analytics Engine SQL API statement on chdb (the embedded ClickHouse), over
datasets loaded from JSONEachRow files, in the SQL API's answer format (ClickHouse's JSON
format: {"meta", "data", "rows", ...}). The end-to-end test's SQL API emulator
(e2e/sql-api.mjs) runs it per request.

stdin: {"structure": "...", "tables": {"dataset": ["file", ...]}, "sql": "... FORMAT JSON",
        "refuse": ["form name", ...] (optional)}
stdout: the answer; on a refused statement, the engine's message on stderr and exit code 1
(the SQL API answers those with an error status and plain text). A statement that uses a form
named in "refuse" is refused without running (see ae_dialect.py); a "refuse" name that is no
form is exit code 3.

Analytics Engine's `quantileWeighted(q, x, w)` runs as ClickHouse's exact weighted quantile
(ae_dialect.to_clickhouse)."""
import json
import sys
import tempfile

from chdb import session as chs

import ae_dialect

spec = json.load(sys.stdin)
sql = spec["sql"].strip()
suffix = "FORMAT JSON"
if sql.upper().endswith(suffix):
    sql = sql[: -len(suffix)].rstrip()
try:
    refused = ae_dialect.refuse(sql, spec.get("refuse", []))
except ValueError as error:
    sys.stderr.write(str(error))
    sys.exit(3)
if refused is not None:
    sys.stderr.write(ae_dialect.refusal_message(refused))
    sys.exit(1)
sql = ae_dialect.to_clickhouse(sql)
with tempfile.TemporaryDirectory() as path:
    sess = chs.Session(path)
    sess.query("SET session_timezone = 'UTC'")
    structure_literal = spec["structure"].replace("\\", "\\\\").replace("'", "\\'")
    for name, files in spec["tables"].items():
        quoted = '"' + name + '"'
        sess.query(f"CREATE TABLE {quoted} ({spec['structure']}) ENGINE = MergeTree ORDER BY tuple()")
        for file in files:
            sess.query(
                f"INSERT INTO {quoted} SELECT * FROM file('{file}', 'JSONEachRow', "
                f"'{structure_literal}')"
            )
    try:
        answer = str(sess.query(sql, "JSON"))
    except Exception as error:  # the engine's complaint, as the SQL API's plain-text error
        sys.stderr.write(str(error))
        sys.exit(1)
    sys.stdout.write(answer)
