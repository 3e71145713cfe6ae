"""What the SQL API emulators (chdb_sql_api.py, chdb_tables.py) add to ClickHouse to stand in
for Analytics Engine's SQL API:

- refuse(sql, names): the first of the named SQL forms the statement uses, so an emulator can
  refuse it as the SQL API refuses a statement it cannot run (nno-obs cfae check and the
  renderer's fallbacks are tested against each refusal in turn). The names are
  nno_obs_query::probe::Form::name()'s; an unknown name is an error (a test that refuses
  nothing would prove nothing).
- to_clickhouse(sql): Analytics Engine's documented `quantileWeighted(q, x, w)` (which
  ClickHouse lacks) as ClickHouse's exact `quantileExactWeighted(q)(x, w)`. The real function
  is documented as an estimate: the emulator cannot reproduce how it estimates, so it answers
  exactly (docs/metrics.md says so)."""
import re

# String literals ('...' with backslash escapes) are blanked before matching, so a value that
# happens to contain "like" or a quote is data, not a form.
_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'")

FORMS = {
    "dataset-double-quotes": re.compile(r'"'),
    "dataset-backticks": re.compile(r"`"),
    "toDateTime": re.compile(r"\btoDateTime\s*\(", re.I),
    "quantileExactWeighted": re.compile(r"\bquantileExactWeighted\s*\(", re.I),
    "quantileWeighted": re.compile(r"\bquantileWeighted\s*\(", re.I),
    "if": re.compile(r"\bif\s*\(", re.I),
    "multiIf": re.compile(r"\bmultiIf\s*\(", re.I),
    "case": re.compile(r"\bCASE\s+WHEN\b", re.I),
    "toStartOfInterval": re.compile(r"\btoStartOfInterval\s*\(", re.I),
    "intDiv": re.compile(r"\bintDiv\s*\(", re.I),
    "like": re.compile(r"\bLIKE\b", re.I),
    "startsWith": re.compile(r"\bstartsWith\s*\(", re.I),
    "position": re.compile(r"\bposition\s*\(", re.I),
    "count-distinct": re.compile(r"\bCOUNT\s*\(\s*DISTINCT\b", re.I),
}


def refuse(sql, names):
    """The first name in `names` whose form `sql` uses, else None; ValueError on a name that
    is no form."""
    bare = _LITERAL.sub("''", sql)
    for name in names:
        if name == "backslash-escape":
            if "\\" in sql:
                return name
            continue
        if name not in FORMS:
            raise ValueError(f"no such form to refuse: {name!r}")
        if FORMS[name].search(bare):
            return name
    return None


def refusal_message(name):
    """The plain-text complaint the emulator answers with (HTTP 422, as the SQL API answers a
    statement it cannot run)."""
    return f"cannot run this query: the form {name!r} is not supported (refused by the emulator)"


_QUANTILE_WEIGHTED = re.compile(
    r"\bquantileWeighted\s*\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)", re.I
)


def to_clickhouse(sql):
    return _QUANTILE_WEIGHTED.sub(r"quantileExactWeighted(\1)(\2, \3)", sql)
