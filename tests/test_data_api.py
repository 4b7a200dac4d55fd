"""aq.evaluate, aq.iter_evaluate and aq.count over records, files and frames."""

import json
import sys

import pytest

import ashby_query as aq

duckdb = pytest.importorskip("duckdb", reason="needs the duckdb extra")

QUERY = 'status = "Open" order by title, id limit 7'


@pytest.fixture(scope="module")
def jobs():
    return aq.sample_records()["jobs"]


def _ids(rows):
    return [r["id"] for r in rows]


def test_list_runs_in_memory_and_agrees_with_the_query(jobs):
    """A list of dicts gives exactly what Query.evaluate gives."""
    q = aq.parse(QUERY, "jobs")
    assert _ids(q.evaluate(jobs)) == _ids(aq.evaluate(q, jobs))
    assert 7 == aq.count(q, jobs)


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet", ".csv"])
def test_files_run_in_duckdb_with_the_same_answer(tmp_path, jobs, suffix):
    """Each file format DuckDB reads selects the records the engine selects, in order."""
    flat = [{k: v for k, v in r.items() if not isinstance(v, dict | list)} for r in jobs]
    path = tmp_path / f"jobs{suffix}"
    if suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in flat), "utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps(flat), "utf-8")
    else:
        src = tmp_path / "src.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in flat), "utf-8")
        fmt = "PARQUET" if suffix == ".parquet" else "CSV, HEADER"
        duckdb.sql(f"COPY (SELECT * FROM read_json('{src}')) TO '{path}' (FORMAT {fmt})")
    expected = _ids(aq.evaluate(QUERY, flat, "jobs"))
    assert expected == _ids(aq.evaluate(QUERY, str(path), "jobs"))
    assert expected == _ids(aq.iter_evaluate(QUERY, path, "jobs"))
    assert len(aq.evaluate('status = "Open"', flat, "jobs")) == aq.count(
        'status = "Open"', path, "jobs"
    )


def test_arrow_table_runs_in_duckdb(jobs):
    """An Arrow table is queried where it is."""
    pa = pytest.importorskip("pyarrow", reason="needs pyarrow")
    flat = [{"id": r["id"], "title": r["title"], "status": r["status"]} for r in jobs]
    table = pa.Table.from_pylist(flat)
    assert _ids(aq.evaluate(QUERY, flat, "jobs")) == _ids(aq.evaluate(QUERY, table, "jobs"))


def test_pandas_frame_runs_in_duckdb(jobs):
    """A pandas frame is queried where it is."""
    pd = pytest.importorskip("pandas", reason="needs pandas")
    flat = [{"id": r["id"], "title": r["title"], "status": r["status"]} for r in jobs]
    frame = pd.DataFrame(flat)
    assert _ids(aq.evaluate(QUERY, flat, "jobs")) == _ids(aq.evaluate(QUERY, frame, "jobs"))


def test_a_file_without_duckdb_names_the_install(tmp_path, monkeypatch):
    """Without the extra, a file path gets an error naming the pip install to run."""
    path = tmp_path / "jobs.parquet"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(aq.AshbyQueryError, match=r"pip install 'ashby-query\[duckdb\]'"):
        aq.evaluate(QUERY, path, "jobs")


def test_json_object_file_and_json_without_duckdb_run_in_memory(tmp_path, jobs, monkeypatch):
    """A JSON object of entity to records is read as --data reads it; without DuckDB,
    JSON lines are read in memory too."""
    expected = _ids(aq.evaluate(QUERY, jobs, "jobs"))
    obj = tmp_path / "all.json"
    obj.write_text(json.dumps({"jobs": jobs}), "utf-8")
    assert expected == _ids(aq.evaluate(QUERY, obj, "jobs"))
    lines = tmp_path / "jobs.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in jobs), "utf-8")
    monkeypatch.setitem(sys.modules, "duckdb", None)
    assert expected == _ids(aq.evaluate(QUERY, lines, "jobs"))
    assert len(expected) == aq.count(QUERY, lines, "jobs")
    with pytest.raises(aq.AshbyQueryError, match="no 'candidates' key"):
        aq.evaluate('name = "x"', obj, "candidates")


def test_typed_columns_come_back_as_json_values(tmp_path):
    """UUIDs, dates and nested structs read from Parquet come back as JSON would hold them."""
    path = tmp_path / "applications.parquet"
    duckdb.sql(
        "COPY (SELECT uuid() AS id, 'active' AS status, "
        "{'id': uuid(), 'at': DATE '2024-01-02'} AS candidate, "
        "TIMESTAMP '2024-01-01 10:00:00' AS createdAt) "
        f"TO '{path}' (FORMAT PARQUET)"
    )
    (record,) = aq.evaluate('status = "active"', path, "applications")
    json.dumps(record)  # every value is plain JSON
    assert isinstance(record["candidate"]["id"], str)
    assert "2024-01-02" == record["candidate"]["at"]
    assert "2024-01-01T10:00:00Z" == record["createdAt"]


def test_an_unreadable_file_is_a_library_error(tmp_path):
    """DuckDB's own exception never reaches the caller: a broken file is an SqlError."""
    path = tmp_path / "applications.parquet"
    path.write_text("garbage", "utf-8")
    with pytest.raises(aq.SqlError, match="DuckDB could not read the data") as info:
        aq.evaluate('status = "a"', path, "applications")
    assert "too small to be a Parquet file" in info.value.detail
    with pytest.raises(aq.SqlError):
        aq.count('status = "a"', path, "applications")
