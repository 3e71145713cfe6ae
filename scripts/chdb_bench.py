"""Times SQL statements on chdb over a local store's dataset files, two ways: from a MergeTree
table loaded once (as Analytics Engine serves a dataset) and straight from the gzip files with
file() (reading what the local evaluator reads). Used by scripts/bench_query.sh.

argv: store root, dataset, runs, structure file[, "table"]; stdin: one SQL statement per line
(dataset named as "dataset"). Prints one line per statement: median seconds (table), median
seconds (file()); with "table", the table only (for sets whose file() runs would take minutes)."""
import statistics
import sys
import tempfile
import time

from chdb import session as chs

root, dataset, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
structure = open(sys.argv[4]).read().strip()
table_only = len(sys.argv) > 5 and sys.argv[5] == "table"
literal = structure.replace("\\", "\\\\").replace("'", "\\'")
files = f"{root}/analytics-engine/{dataset}/**/*.json.gz"
source = f"file('{files}', 'JSONEachRow', '{literal}')"
with tempfile.TemporaryDirectory() as path:
    sess = chs.Session(path)
    sess.query(f'CREATE TABLE "{dataset}" ({structure}) ENGINE = MergeTree ORDER BY tuple()')
    sess.query(f'INSERT INTO "{dataset}" SELECT * FROM {source}')
    for sql in sys.stdin.read().splitlines():
        if not sql.strip():
            continue
        timings = []
        variants = [sql] if table_only else [sql, sql.replace(f'"{dataset}"', source)]
        for variant in variants:
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                sess.query(variant, "JSONEachRow")
                samples.append(time.perf_counter() - start)
            timings.append(statistics.median(samples))
        print(" ".join(f"{t:.6f}" for t in timings))
    sess.close()
