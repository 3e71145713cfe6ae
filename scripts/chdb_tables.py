"""Loads Analytics Engine-shaped tables into a chdb session and runs SQL statements on them.
Used by nno-obs-query's differential test (tests/clickhouse.rs).

stdin: {"structure": "...", "tables": {"name": ["glob", ...]}, "queries": ["SQL", ...],
        "refuse": [["form name", ...], ...] (optional, one list per query)}
stdout: one JSON document: a list with, per query, {"rows": [...]} or {"error": "..."}; a
query using a form named in its "refuse" list is not run: {"error": "...", "refused": "name"}
(ae_dialect.refuse).
Each table is created under its own (quoted) name, as the SQL API names a dataset, so the
rendered SQL runs unchanged (Analytics Engine's `quantileWeighted(q, x, w)` as ClickHouse's
exact weighted quantile: ae_dialect.to_clickhouse)."""
import json
import sys
import tempfile

from chdb import session as chs

import ae_dialect

spec = json.load(sys.stdin)
out = []
with tempfile.TemporaryDirectory() as path:
    sess = chs.Session(path)
    sess.query("SET session_timezone = 'UTC'")
    structure_literal = spec["structure"].replace("\\", "\\\\").replace("'", "\\'")
    for name, globs in spec["tables"].items():
        quoted = '"' + name + '"'
        sess.query(f"CREATE TABLE {quoted} ({spec['structure']}) ENGINE = MergeTree ORDER BY tuple()")
        for pattern in globs:
            sess.query(
                f"INSERT INTO {quoted} SELECT * FROM file('{pattern}', 'JSONEachRow', "
                f"'{structure_literal}')"
            )
    refuse = spec.get("refuse") or [[] for _ in spec["queries"]]
    for sql, names in zip(spec["queries"], refuse):
        refused = ae_dialect.refuse(sql, names)
        if refused is not None:
            out.append({"error": ae_dialect.refusal_message(refused), "refused": refused})
            continue
        try:
            text = str(sess.query(ae_dialect.to_clickhouse(sql), "JSONEachRow"))
            out.append({"rows": [json.loads(l) for l in text.splitlines() if l.strip()]})
        except Exception as error:  # reported to the test, which fails with it
            out.append({"error": str(error)[:2000]})
    sess.close()
json.dump(out, sys.stdout)
