"""`flask doctor`'s judgements over plain facts: each check's ✓ and ✗ paths."""

from __future__ import annotations

import pytest

from quizapp.domain import doctor
from quizapp.domain.doctor import GIB, Check
from quizapp.domain.units import human_bytes

# --- rendering --------------------------------------------------------------------------------


def test_render_puts_the_fix_on_the_failing_line_only():
    lines = doctor.render([Check(True, "甲", "好", "不该出现"), Check(False, "乙", "坏", "这样修")])
    assert lines == ["✓ 甲：好", "✗ 乙：坏 —— 修复：这样修"]


def test_summary_counts_passed_and_failed():
    checks = [Check(True, "a", ""), Check(False, "b", ""), Check(True, "c", "")]
    assert doctor.summary(checks) == "共 3 项：2 项通过，1 项未通过"
    assert doctor.summary(checks[:1] + checks[2:]) == "共 2 项，全部通过"


@pytest.mark.parametrize("count, text", [(0, "0 B"), (2048, "2.0 KiB"), (3 * 1024 ** 2, "3.0 MiB"),
                                         (int(1.5 * GIB), "1.5 GiB")])
def test_human_bytes(count, text):
    assert human_bytes(count) == text


# --- SECRET_KEY -----------------------------------------------------------------------------


def test_secret_key_from_env_passes_and_shows_a_fingerprint():
    check = doctor.judge_secret_key("env", 1, 64, "3f2a9c1e")
    assert check.ok and "环境变量" in check.detail and "3f2a9c1e" in check.detail


def test_secret_key_from_env_on_several_servers_asks_to_compare_fingerprints():
    check = doctor.judge_secret_key("env", 3, 64, "3f2a9c1e")
    assert check.ok and "3 台服务器的指纹须一致" in check.detail


@pytest.mark.parametrize("source", ["env", "file", "config"])
def test_secret_key_shorter_than_32_characters_fails(source):
    check = doctor.judge_secret_key(source, 1, 31)
    assert not check.ok and "太短" in check.detail and "32" in check.fix
    assert doctor.judge_secret_key(source, 1, 32).ok


@pytest.mark.parametrize("source", ["file", "new"])
def test_generated_key_is_fine_on_one_server(source):
    check = doctor.judge_secret_key(source, 1, 64)
    assert check.ok and "instance/secret_key" in check.detail and "重启后不变" in check.detail


@pytest.mark.parametrize("source", ["file", "new"])
def test_generated_key_fails_on_several_servers(source):
    check = doctor.judge_secret_key(source, 2, 64)
    assert not check.ok and "2 台服务器" in check.detail and "同一个 SECRET_KEY" in check.fix


def test_fresh_key_says_it_was_just_generated():
    assert "刚生成" in doctor.judge_secret_key("new", 1, 64).detail
    assert "刚生成" not in doctor.judge_secret_key("file", 1, 64).detail


def test_fingerprint_is_stable_short_and_hides_the_key():
    key = "k" * 64
    assert doctor.fingerprint(key) == doctor.fingerprint(key)
    assert len(doctor.fingerprint(key)) == 8 and "kkkk" not in doctor.fingerprint(key)
    assert doctor.fingerprint(key) != doctor.fingerprint(key + "x")


# --- PUBLIC_BASE_URL ------------------------------------------------------------------------


@pytest.mark.parametrize("url, why", [
    ("", "未设置"), (None, "未设置"), ("   ", "未设置"),
    ("ftp://quiz.example.gov.cn", "不是 http(s)"), ("quiz.example.gov.cn", "不是 http(s)"),
    ("https://", "没有主机名"), ("http://[::1", "不是合法"),
    ("http://localhost:8000", "本机"), ("http://127.0.1.1", "本机"), ("http://[::1]:8000", "本机"),
    ("http://0.0.0.0:8000", "本机"), ("https://app.localhost", "本机"),
])
def test_public_base_url_failures(url, why):
    check = doctor.judge_public_base_url(url)
    assert not check.ok and why in check.detail
    assert "PUBLIC_BASE_URL=https://" in check.fix


def test_public_base_url_https_passes_without_remarks():
    check = doctor.judge_public_base_url("https://quiz.example.gov.cn")
    assert check.ok and check.detail == "https://quiz.example.gov.cn"


def test_public_base_url_http_passes_with_a_warning_about_http():
    check = doctor.judge_public_base_url("http://quiz.example.gov.cn")
    assert check.ok and "不安全" in check.detail and "https" in check.detail


def test_public_base_url_on_a_private_network_passes_with_a_note():
    check = doctor.judge_public_base_url("https://192.168.1.10")
    assert check.ok and "内网" in check.detail
    assert "内网" not in doctor.judge_public_base_url("https://8.8.8.8").detail


# --- database and migrations ------------------------------------------------------------------

HEAD, OLD = "c68f87dc494d", "94e036a317a3"


def test_database_at_head_passes_and_names_the_revision():
    check = doctor.judge_database("SQLite，/x.sqlite3", "", (HEAD,), (HEAD,), {HEAD, OLD}, True)
    assert check.ok and f"迁移已是最新（{HEAD}）" in check.detail and "/x.sqlite3" in check.detail


@pytest.mark.parametrize("backend, hint", [("sqlite", "文件路径"), ("postgresql", "主机、端口")])
def test_database_unreachable_fails_with_the_error(backend, hint):
    check = doctor.judge_database("库", "OperationalError: refused", backend=backend)
    assert not check.ok and "无法连接" in check.detail and "OperationalError" in check.detail
    assert hint in check.fix and "db upgrade" in check.fix


def test_empty_database_asks_for_upgrade():
    check = doctor.judge_database("库", "", (), (HEAD,), {HEAD}, has_tables=False)
    assert not check.ok and "还没有建表" in check.detail and check.fix.endswith("db upgrade")


def test_tables_without_a_version_record_ask_for_stamp():
    check = doctor.judge_database("库", "", (), (HEAD,), {HEAD}, has_tables=True)
    assert not check.ok and "alembic_version" in check.detail and "db stamp head" in check.fix


def test_database_behind_head_names_both_revisions():
    check = doctor.judge_database("库", "", (OLD,), (HEAD,), {HEAD, OLD}, True)
    assert not check.ok and OLD in check.detail and HEAD in check.detail and "db upgrade" in check.fix


def test_database_newer_than_the_code_fails():
    check = doctor.judge_database("库", "", ("ffffffffffff",), (HEAD,), {HEAD, OLD}, True)
    assert not check.ok and "ffffffffffff" in check.detail and "程序版本" in check.fix


# --- SQLite ---------------------------------------------------------------------------------------


def test_sqlite_pragmas_as_the_app_sets_them_pass():
    check = doctor.judge_sqlite_pragmas("wal", 1, 10000, True)
    assert check.ok and check.detail == "journal_mode=WAL，synchronous=NORMAL，busy_timeout=10000 ms，foreign_keys=ON"


@pytest.mark.parametrize("pragmas, why, fix", [
    (("delete", 1, 10000, True), "不是 WAL", "本地磁盘"),
    (("wal", 0, 10000, True), "synchronous=OFF", "SQLITE_PRAGMAS"),
    (("wal", 1, 4999, True), "busy_timeout 低于 5000", "SQLITE_PRAGMAS"),
    (("wal", 1, 10000, False), "外键", "SQLITE_PRAGMAS"),
])
def test_each_wrong_sqlite_pragma_fails(pragmas, why, fix):
    check = doctor.judge_sqlite_pragmas(*pragmas)
    assert not check.ok and why in check.detail and fix in check.fix


def test_sqlite_on_several_servers_fails():
    check = doctor.judge_sqlite_pragmas("wal", 2, 10000, True, servers=2)
    assert not check.ok and "一台服务器" in check.detail and "PostgreSQL" in check.fix
    assert doctor.judge_sqlite_pragmas("wal", 2, 5000, True, servers=1).ok


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.parametrize("number, text", [(150020, "15.20"), (120000, "12.0"), (90624, "9.6.24")])
def test_postgres_version_reads_as_people_write_it(number, text):
    assert doctor.postgres_version(number) == text


def test_postgres_with_enough_connections_passes_and_shows_the_sum():
    check = doctor.judge_postgres(150020, 100, 3, workers=4, servers=2)
    assert check.ok
    assert "版本 15.20" in check.detail and "可用 97" in check.detail and "= 13" in check.detail


def test_postgres_exactly_enough_connections_passes():
    assert doctor.judge_postgres(160000, 10 + 3 + doctor.CONNECTION_MARGIN, 3, workers=5, servers=2).ok
    assert not doctor.judge_postgres(160000, 10 + 2 + doctor.CONNECTION_MARGIN, 3, workers=5, servers=2).ok


def test_postgres_short_of_connections_fails_with_the_setting_to_use():
    check = doctor.judge_postgres(150020, 100, 3, workers=16, servers=4, threads=2)
    needed = 16 * 4 * 2 + doctor.CONNECTION_MARGIN
    assert not check.ok and f"= {needed}" in check.detail and "× 2 线程" in check.detail
    assert f"至少 {needed + 3}" in check.fix


def test_postgres_older_than_12_fails():
    check = doctor.judge_postgres(110022, 100, 3, 1, 1)
    assert not check.ok and "11.22" in check.detail and "PostgreSQL 12" in check.fix
    assert doctor.judge_postgres(120000, 100, 3, 1, 1).ok


@pytest.mark.parametrize("host, local", [(None, True), ("", True), ("localhost", True), ("127.0.0.1", True),
                                         ("::1", True), ("/var/run/postgresql", True), ("db.internal", False),
                                         ("10.0.0.5", False)])
def test_is_local_host(host, local):
    assert doctor.is_local_host(host) is local


# --- Redis --------------------------------------------------------------------------------------


def test_redis_reachable_passes():
    check = doctor.judge_redis("redis://127.0.0.1:6379/0", True, "", workers=4, servers=2)
    assert check.ok and "可连接" in check.detail and "127.0.0.1:6379/0" in check.detail


def test_redis_unreachable_fails_with_the_error_type_and_no_password():
    check = doctor.judge_redis("redis://:hunter2@cache:6379/0", False, "ConnectionError", 1, 1)
    assert not check.ok and "ConnectionError" in check.detail and "REDIS_URL" in check.fix
    assert "hunter2" not in check.detail + check.fix and "redis://:***@cache:6379/0" in check.detail


def test_redis_missing_with_several_processes_fails():
    check = doctor.judge_redis("", False, "", workers=2, servers=3)
    assert not check.ok and "6 个进程" in check.detail and "REDIS_URL=" in check.fix


def test_redis_missing_with_one_process_passes():
    check = doctor.judge_redis("", False, "", workers=1, servers=1)
    assert check.ok and check.detail == "未配置（单进程，限流计数在本进程内）"


@pytest.mark.parametrize("url, masked", [
    ("redis://user:pw@host:6379/0", "redis://user:***@host:6379/0"),
    ("redis://host:6379/0?password=pw&db=1", "redis://host:6379/0?password=***&db=1"),
    ("redis://host:6379/0", "redis://host:6379/0"),
    ("rediss://user@host", "rediss://user@host"),
])
def test_mask_url(url, masked):
    assert doctor.mask_url(url) == masked


# --- font and disk ------------------------------------------------------------------------------


def test_embeddable_font_passes():
    check = doctor.judge_font("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    assert check.ok and "wqy-zenhei.ttc" in check.detail


def test_fallback_font_fails_with_the_package_to_install():
    check = doctor.judge_font(None)
    assert not check.ok and "STSong-Light" in check.detail and check.fix == "apt install fonts-wqy-zenhei"


def test_disk_with_room_passes():
    check = doctor.judge_disk("/srv", 50 * GIB, 100 * GIB, 300 * 1024 ** 2)
    assert check.ok and "剩余 50.0 GiB" in check.detail and "数据库 300.0 MiB" in check.detail


def test_disk_under_one_gib_fails():
    check = doctor.judge_disk("/srv", GIB - 1, 100 * GIB, 1024)
    assert not check.ok and "空间不足" in check.detail and "1.0 GiB" in check.fix
    assert doctor.judge_disk("/srv", GIB, 100 * GIB, 1024).ok


def test_disk_without_room_for_a_backup_fails():
    check = doctor.judge_disk("/srv", 5 * GIB, 100 * GIB, 3 * GIB)
    assert not check.ok and "6.0 GiB" in check.fix
    assert doctor.judge_disk("/srv", 6 * GIB, 100 * GIB, 3 * GIB).ok


def test_disk_of_a_remote_database_says_what_was_measured():
    check = doctor.judge_disk("/srv/backups", 10 * GIB, 20 * GIB, None, note="数据库在另一台主机 db，只检查了备份目录")
    assert check.ok and "数据库 " not in check.detail and check.detail.endswith("只检查了备份目录")


def test_database_connected_but_unreadable_fails_without_claiming_it_is_down():
    check = doctor.judge_database("库", "", read_error="InsufficientPrivilege: permission denied")
    assert not check.ok and "可连接" in check.detail and "InsufficientPrivilege" in check.detail
    assert "无法连接" not in check.detail and "有权读取" in check.fix
