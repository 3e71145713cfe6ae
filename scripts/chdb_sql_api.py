"""Answers Analytics Engine SQL API statements on chdb (the embedded ClickHouse), over
datasets loaded from JSONEachRow files, in the SQL API's answer format (ClickHouse's JSON
format: {"meta", "data", "rows", ...}). The end-to-end test's SQL API emulator
(e2e/sql-api.mjs) runs it per request; `--lines` answers many requests in one process (one
chdb import), as nno-obs-cli's tests/cfae.rs does.

stdin: {"structure": "...", "tables": {"dataset": ["file", ...]}, "sql": "... FORMAT JSON",
        "refuse": ["form name", ...] (optional)}
stdout: the answer; on a refused statement, the engine's message on stderr and exit code 1
(the SQL API answers those with an error status and plain text). A statement that uses a form
named in "refuse" is refused without running (see ae_dialect.py); a "refuse" name that is no
form is exit code 3.

With --lines: one such request per stdin line, one JSON line per answer on stdout:
{"code": 0 | 1 | 3, "out": "...", "err": "..."} (code, stdout and stderr as above).

Analytics Engine's `quantileWeighted(q, x, w)` runs as ClickHouse's exact weighted quantile
(ae_dialect.to_clickhouse)."""
import json
import sys
import tempfile

from chdb import session as chs

import ae_dialect


def answer(spec):
    """(exit code, stdout, stderr) for one request."""
    sql = spec["sql"].strip()
    suffix = "FORMAT JSON"
    if sql.upper().endswith(suffix):
        sql = sql[: -len(suffix)].rstrip()
    try:
        refused = ae_dialect.refuse(sql, spec.get("refuse", []))
    except ValueError as error:
        return 3, "", str(error)
    if refused is not None:
        return 1, "", ae_dialect.refusal_message(refused)
    sql = ae_dialect.to_clickhouse(sql)
    with tempfile.TemporaryDirectory() as path:
        sess = chs.Session(path)
        try:
            sess.query("SET session_timezone = 'UTC'")
            structure_literal = spec["structure"].replace("\\", "\\\\").replace("'", "\\'")
            for name, files in spec["tables"].items():
                quoted = '"' + name + '"'
                sess.query(
                    f"CREATE TABLE {quoted} ({spec['structure']}) ENGINE = MergeTree ORDER BY tuple()"
                )
                for file in files:
                    sess.query(
                        f"INSERT INTO {quoted} SELECT * FROM file('{file}', 'JSONEachRow', "
                        f"'{structure_literal}')"
                    )
            try:
                return 0, str(sess.query(sql, "JSON")), ""
            except Exception as error:  # the engine's complaint, as the SQL API's plain text
                return 1, "", str(error)
        finally:
            sess.close()


if "--lines" in sys.argv[1:]:
    for line in sys.stdin:
        if not line.strip():
            continue
        code, out, err = answer(json.loads(line))
        sys.stdout.write(json.dumps({"code": code, "out": out, "err": err}) + "\n")
        sys.stdout.flush()
else:
    code, out, err = answer(json.load(sys.stdin))
    sys.stdout.write(out)
    sys.stderr.write(err)
    sys.exit(code)
