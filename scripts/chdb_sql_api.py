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

With --resident: as --lines, but one chdb session for the life of the process, the datasets
loaded into it once per "generation" (a number the request carries; the caller changes it when
it rewrites the files): a request costs its query, not chdb's start and the tables' loading —
what the end-to-end SQL API stand-in (e2e/sql-api.mjs) needs to measure the Worker and not the
emulator.

Analytics Engine's `quantileWeighted(q, x, w)` runs as ClickHouse's exact weighted quantile
(ae_dialect.to_clickhouse)."""
import json
import sys
import tempfile

from chdb import session as chs

import ae_dialect


def prepare(spec):
    """The statement in ClickHouse's spelling, or (exit code, stdout, stderr) when it is refused
    (or names a form that does not exist)."""
    sql = spec["sql"].strip()
    suffix = "FORMAT JSON"
    if sql.upper().endswith(suffix):
        sql = sql[: -len(suffix)].rstrip()
    try:
        refused = ae_dialect.refuse(sql, spec.get("refuse", []))
    except ValueError as error:
        return None, (3, "", str(error))
    if refused is not None:
        return None, (1, "", ae_dialect.refusal_message(refused))
    return ae_dialect.to_clickhouse(sql), None


def load(sess, spec, drop=()):
    """Creates the spec's datasets in `sess` from their files (dropping `drop` first)."""
    for name in drop:
        sess.query(f'DROP TABLE IF EXISTS "{name}"')
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


def run(sess, sql):
    """(exit code, stdout, stderr) of one statement."""
    try:
        return 0, str(sess.query(sql, "JSON")), ""
    except Exception as error:  # the engine's complaint, as the SQL API's plain text
        return 1, "", str(error)


def answer(spec):
    """(exit code, stdout, stderr) for one request, in a session of its own."""
    sql, refused = prepare(spec)
    if refused is not None:
        return refused
    with tempfile.TemporaryDirectory() as path:
        sess = chs.Session(path)
        try:
            sess.query("SET session_timezone = 'UTC'")
            load(sess, spec)
            return run(sess, sql)
        finally:
            sess.close()


class Resident:
    """One session for every request; the datasets reloaded only when the request's
    (generation, structure, tables) differ from what is loaded."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory()
        self.sess = chs.Session(self.dir.name)
        self.sess.query("SET session_timezone = 'UTC'")
        self.loaded = None
        self.tables = ()

    def answer(self, spec):
        sql, refused = prepare(spec)
        if refused is not None:
            return refused
        key = json.dumps([spec.get("generation"), spec["structure"], spec["tables"]], sort_keys=True)
        if key != self.loaded:
            # A failed load leaves nothing half-loaded behind it: the next request retries.
            self.loaded = None
            try:
                load(self.sess, spec, drop=sorted(set(self.tables) | set(spec["tables"])))
            except Exception as error:
                self.tables = tuple(spec["tables"])
                return 1, "", f"loading the datasets failed: {error}"
            self.tables = tuple(spec["tables"])
            self.loaded = key
        return run(self.sess, sql)


if "--lines" in sys.argv[1:] or "--resident" in sys.argv[1:]:
    answer_one = Resident().answer if "--resident" in sys.argv[1:] else answer
    for line in sys.stdin:
        if not line.strip():
            continue
        code, out, err = answer_one(json.loads(line))
        sys.stdout.write(json.dumps({"code": code, "out": out, "err": err}) + "\n")
        sys.stdout.flush()
else:
    code, out, err = answer(json.load(sys.stdin))
    sys.stdout.write(out)
    sys.stderr.write(err)
    sys.exit(code)
