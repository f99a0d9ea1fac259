"""The backup manifest's pure rules: names, parsing, comparing, counting a pg_dump's COPY blocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from quizapp.domain.backup_manifest import (
    BackupError,
    archive_name,
    build_manifest,
    compare_counts,
    compare_data,
    copy_table,
    manifest_bytes,
    parse_manifest,
    scan_dump,
)

NOW = datetime(2026, 11, 20, 10, 0, 5, tzinfo=timezone(timedelta(hours=8)))
DIGEST = "ab" * 32

DUMP = b"""--
-- PostgreSQL database dump
--
SET client_encoding = 'UTF8';
COPY public.alembic_version (version_num) FROM stdin;
c68f87dc494d
\\.
COPY public."user" (id, name) FROM stdin;
1\ta\\nb\\\\c
2\tx\\ty
\\.
COPY "we""ird".participant (id, phone) FROM stdin;
\\.
COPY public.scan (id) FROM stdin;
1
2
3
\\.
-- COPY public.fake (id) FROM stdin; in a comment is not a block
"""


def test_archive_names_are_utc_and_sort_by_time():
    name = archive_name("sqlite", NOW, "a1b2c3")
    assert name == "quizapp-sqlite-20261120T020005Z-a1b2c3.tar.gz"
    assert archive_name("sqlite", NOW + timedelta(seconds=1), "000000") > name


def test_a_manifest_round_trips_through_json():
    manifest = build_manifest("postgresql", NOW, "c68f87dc494d", {"b": 2, "a": 1}, 10, DIGEST, "0.1.0")
    assert manifest.created_at == "2026-11-20T02:00:05Z" and list(manifest.tables) == ["a", "b"]
    assert manifest.data_name == "database.sql" and manifest.total_rows == 3
    assert parse_manifest(manifest_bytes(manifest)) == manifest


@pytest.mark.parametrize("edit, words", [
    (lambda m: {**m, "format": 2}, "格式版本"),
    (lambda m: {**m, "backend": "mysql"}, "不受支持"),
    (lambda m: {**m, "data_name": "../etc/passwd"}, "数据文件名"),
    (lambda m: {**m, "tables": {"a": -1}}, "tables"),
    (lambda m: {**m, "tables": {"a": True}}, "tables"),
    (lambda m: {**m, "data_size": "10"}, "data_size"),
    (lambda m: {**m, "data_sha256": "abc"}, "data_sha256"),
])
def test_a_malformed_manifest_is_refused(edit, words):
    good = json.loads(manifest_bytes(build_manifest("sqlite", NOW, None, {"a": 1}, 10, DIGEST)))
    with pytest.raises(BackupError, match=words):
        parse_manifest(json.dumps(edit(good)).encode())


def test_a_manifest_that_is_not_json_is_refused():
    with pytest.raises(BackupError, match="JSON"):
        parse_manifest(b"\xff\xfe not json")


def test_counts_are_compared_table_by_table():
    assert [c.ok for c in compare_counts({"a": 1, "b": 2}, {"a": 1, "b": 2})] == [True]
    wrong = compare_counts({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 0})
    assert [c.ok for c in wrong] == [False, False]
    assert "b" in wrong[0].text and "2 行" in wrong[0].text and "3 行" in wrong[0].text
    assert "c" in wrong[1].text and "无此表" in wrong[1].text


def test_data_is_compared_by_size_then_digest():
    manifest = build_manifest("sqlite", NOW, None, {}, 10, DIGEST)
    assert compare_data(manifest, 10, DIGEST).ok
    assert "大小" in compare_data(manifest, 11, DIGEST).text
    assert not compare_data(manifest, 10, "cd" * 32).ok


def test_a_dump_is_counted_by_its_copy_lines():
    scan = scan_dump(DUMP.splitlines(keepends=True))
    assert scan.tables == {"alembic_version": 1, "user": 2, 'we"ird.participant': 0, "scan": 3}
    assert scan.alembic_revision == "c68f87dc494d"


def test_a_dump_cut_inside_a_copy_block_is_refused():
    cut = DUMP[:DUMP.index(b"2\n3\n")]
    with pytest.raises(BackupError, match="scan"):
        scan_dump(cut.splitlines(keepends=True))


@pytest.mark.parametrize("line, table", [
    ("COPY public.attempt (id) FROM stdin;", "attempt"),
    ('COPY public."user" (id) FROM stdin;', "user"),
    ("COPY other.attempt (id) FROM stdin;", "other.attempt"),
    ('COPY "a.b"."c d" (id) FROM stdin;', "a.b.c d"),
])
def test_copy_lines_name_their_table(line, table):
    assert copy_table(line) == table


def test_iso_time_is_utc():
    manifest = build_manifest("sqlite", datetime(2026, 1, 1, tzinfo=UTC), None, {}, 0, DIGEST)
    assert manifest.created_at == "2026-01-01T00:00:00Z"
