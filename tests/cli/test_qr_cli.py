"""`flask qr …` (CONTRACT §2 `qr make`): every code is decoded for real and its URL followed through the app."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from urllib.parse import urlsplit

import pytest

from quizapp.domain import poster as poster_mod
from quizapp.extensions import db
from quizapp.models import Channel, Scan
from tests.cli.test_cli import assert_one_line_failure
from tests.unit.test_qr_decoding import decode_image, decode_pdf, decode_png, pdf_tool, rasterize_svg

BASE = "http://127.0.0.1:8000"


def channel_names(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(db.select(Channel.code, Channel.name)).all())


def scans(app, code: str) -> int:
    with app.app_context():
        return db.session.execute(
            db.select(db.func.count(Scan.id)).join(Channel).where(Channel.code == code)).scalar_one()


def follow(app, client, url: str):
    """Request a decoded URL through the test client, as the phone that scanned it would."""
    assert url.startswith(BASE + "/"), url
    return client.get(urlsplit(url).path)


def make(runner, tmp_path, *args: str, name: str = "out"):
    output = tmp_path / name
    return output, runner.invoke(args=["qr", "make", "demo", *args, "-o", str(output)])


# --- channels --------------------------------------------------------------------------------


def test_channel_add_and_list(app, runner, contest):
    added = runner.invoke(args=["qr", "channel", "add", "demo", "school-01", "五进·进校园·第一中学"])
    assert added.exit_code == 0, added.output
    assert f"{BASE}/s/demo/school-01" in added.output
    renamed = runner.invoke(args=["qr", "channel", "add", "demo", "school-01", "第一中学"])
    assert "已更名" in renamed.output
    runner.invoke(args=["qr", "channel", "add", "demo", "hosp-1", "人民医院"])
    listed = runner.invoke(args=["qr", "channel", "list", "demo"])
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [f"hosp-1\t人民医院\t{BASE}/s/demo/hosp-1",
                                          f"school-01\t第一中学\t{BASE}/s/demo/school-01"]


@pytest.mark.parametrize("args,words", [
    (["channel", "add", "demo", "a b", "名"], ["渠道代码"]),
    (["channel", "add", "demo", "ok", ""], ["渠道名称"]),
    (["channel", "add", "nope", "ok", "名"], ["nope", "不存在"]),
    (["channel", "list", "nope"], ["nope", "不存在"]),
    (["stats", "nope"], ["nope", "不存在"]),
])
def test_channel_commands_fail_in_one_line(app, runner, contest, args, words):
    assert_one_line_failure(runner.invoke(args=["qr", *args]), *words)


# --- qr make ---------------------------------------------------------------------------------


def test_make_png_creates_the_channel_and_its_url_counts_one_scan(app, runner, contest, tmp_path):
    output, result = make(runner, tmp_path, "--channel", "village-7", "--format", "png", name="v.png")
    assert result.exit_code == 0, result.output
    assert "已创建渠道 village-7" in result.output
    assert channel_names(app) == {"village-7": "village-7"}
    code = decode_png(output.read_bytes())
    assert code.text == f"{BASE}/s/demo/village-7" and code.ec_level == "M"

    browser = app.test_client()
    response = follow(app, browser, code.text)
    assert response.status_code == 302 and response.headers["Location"] == "/c/demo?ch=village-7"
    landing = browser.get(response.headers["Location"])
    assert landing.status_code == 200 and 'value="village-7"' in landing.get_data(as_text=True)
    assert scans(app, "village-7") == 1
    follow(app, browser, code.text)
    assert scans(app, "village-7") == 1  # same browser, same day
    follow(app, app.test_client(), code.text)
    assert scans(app, "village-7") == 2  # another browser


def test_make_png_options(app, runner, contest, tmp_path):
    output, result = make(runner, tmp_path, "--format", "png", "--ec", "q", "--box-size", "4", "--border", "6",
                          name="c.png")
    assert result.exit_code == 0, result.output
    code = decode_png(output.read_bytes())
    assert code.text == f"{BASE}/c/demo" and code.ec_level == "Q"
    assert channel_names(app) == {}  # no channel: the contest's own page


def test_make_svg_is_one_path_that_decodes(app, runner, contest, tmp_path):
    output, result = make(runner, tmp_path, "--channel", "school-01", "--format", "svg", name="s.svg")
    assert result.exit_code == 0, result.output
    svg = output.read_text(encoding="utf-8")
    assert svg.count("<path") == 1 and "<rect" not in svg
    assert decode_image(rasterize_svg(svg))[0].text == f"{BASE}/s/demo/school-01"


def test_make_pdf_poster_decodes_and_counts_a_scan(app, runner, contest, tmp_path):
    runner.invoke(args=["qr", "channel", "add", "demo", "school-01", "五进·进校园·第一中学"])
    output, result = make(runner, tmp_path, "--channel", "school-01", "--format", "pdf", name="p.pdf")
    assert result.exit_code == 0, result.output
    data = output.read_bytes()
    assert "A4" in pdf_tool("pdfinfo", data)
    text = pdf_tool("pdftotext", data)
    assert "测试竞赛" in text and "五进·进校园·第一中学" in text
    url = decode_pdf(data).text
    assert url == f"{BASE}/s/demo/school-01"
    response = follow(app, app.test_client(), url)
    assert response.headers["Location"] == "/c/demo?ch=school-01"
    assert scans(app, "school-01") == 1
    assert channel_names(app) == {"school-01": "五进·进校园·第一中学"}  # make keeps an existing name


def test_make_pdf_with_the_fallback_font(app, runner, contest, tmp_path, monkeypatch):
    monkeypatch.setattr(poster_mod, "FONT_CANDIDATES", ())
    output, result = make(runner, tmp_path, "--channel", "school-01", "--format", "pdf", name="f.pdf")
    assert result.exit_code == 0, result.output
    assert "STSong-Light" in pdf_tool("pdffonts", output.read_bytes())
    assert decode_pdf(output.read_bytes()).text == f"{BASE}/s/demo/school-01"


def test_public_base_url_is_what_the_code_carries(app, runner, contest, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "https://yjj.nmg.example.cn/"
    output, result = make(runner, tmp_path, "--channel", "school-01", "--format", "png", name="b.png")
    assert result.exit_code == 0
    assert decode_png(output.read_bytes()).text == "https://yjj.nmg.example.cn/s/demo/school-01"
    assert result.stderr == ""  # a real address: nothing to warn about


@pytest.mark.parametrize("configured,words", [
    ("", ["未设置 PUBLIC_BASE_URL", BASE]),
    ("http://localhost:5000", ["localhost:5000", "本机地址"]),
    ("http://127.0.0.2", ["本机地址"]),
    ("http://[::1]:8000", ["本机地址"]),
])
def test_an_address_no_phone_can_open_is_warned_about_and_the_file_still_written(
        app, runner, contest, tmp_path, configured, words):
    app.config["PUBLIC_BASE_URL"] = configured
    output, result = make(runner, tmp_path, "--channel", "school-01", "--format", "png", name="w.png")
    assert result.exit_code == 0
    assert output.stat().st_size > 0
    for word in words:
        assert word in result.stderr
    assert "警告" not in result.stdout
    expected = (configured or BASE).rstrip("/")
    assert decode_png(output.read_bytes()).text == f"{expected}/s/demo/school-01"


def test_batch_and_channel_commands_warn_once_too(app, runner, contest, tmp_path):
    app.config["PUBLIC_BASE_URL"] = ""
    listing = tmp_path / "list.csv"
    listing.write_text("a-1,甲\nb-2,乙\n", encoding="utf-8")
    batch = runner.invoke(args=["qr", "batch", "demo", "--channels", str(listing), "-o", str(tmp_path / "p.zip")])
    assert batch.exit_code == 0, batch.output
    assert batch.stderr.count("未设置 PUBLIC_BASE_URL") == 1
    listed = runner.invoke(args=["qr", "channel", "list", "demo"])
    assert listed.stderr.count("未设置 PUBLIC_BASE_URL") == 1


@pytest.mark.parametrize("args,words", [
    (["--format", "gif"], ["gif"]),
    (["--format", "png", "--channel", "a b"], ["渠道代码"]),
    (["--format", "png", "--border", "99"], ["静区"]),
    (["--format", "png", "--box-size", "0"], ["模块尺寸"]),
    (["--format", "png", "--ec", "H"], ["H"]),
])
def test_make_refuses_bad_arguments_in_one_line(app, runner, contest, tmp_path, args, words):
    output, result = make(runner, tmp_path, *args, name="x")
    assert_one_line_failure(result, *words)
    assert not output.exists()
    assert channel_names(app) == {}


def test_make_unknown_contest_or_missing_folder(app, runner, contest, tmp_path):
    missing = runner.invoke(args=["qr", "make", "nope", "--format", "png", "-o", str(tmp_path / "x.png")])
    assert_one_line_failure(missing, "nope")
    nowhere = runner.invoke(args=["qr", "make", "demo", "--channel", "a", "--format", "png",
                                  "-o", str(tmp_path / "no" / "x.png")])
    assert_one_line_failure(nowhere, "输出目录不存在")
    assert channel_names(app) == {}


# --- qr batch --------------------------------------------------------------------------------


def test_batch_makes_one_poster_per_channel_and_an_index(app, runner, contest, tmp_path):
    listing = tmp_path / "channels.csv"
    listing.write_bytes("渠道代码,渠道名称\r\nschool-01,五进·进校园·第一中学\r\nhosp-2,\"人民医院, 东院\"\r\n"
                        "village-3,五进·进农村·东村\r\n".encode("gbk"))
    output = tmp_path / "posters.zip"
    result = runner.invoke(args=["qr", "batch", "demo", "--channels", str(listing), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "3 张海报" in result.output
    archive = zipfile.ZipFile(output)
    assert sorted(archive.namelist()) == ["hosp-2.pdf", "index.csv", "index.pdf", "school-01.pdf", "village-3.pdf"]
    for code in ("school-01", "hosp-2", "village-3"):
        assert decode_pdf(archive.read(f"{code}.pdf")).text == f"{BASE}/s/demo/{code}"
    index = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert index[1:] == [["school-01", "五进·进校园·第一中学", f"{BASE}/s/demo/school-01"],
                         ["hosp-2", "人民医院, 东院", f"{BASE}/s/demo/hosp-2"],
                         ["village-3", "五进·进农村·东村", f"{BASE}/s/demo/village-3"]]
    sheet = pdf_tool("pdftotext", archive.read("index.pdf"))
    assert "人民医院, 东院" in sheet and f"{BASE}/s/demo/village-3" in sheet
    assert channel_names(app)["hosp-2"] == "人民医院, 东院"


def test_batch_with_bad_rows_produces_nothing(app, runner, contest, tmp_path):
    listing = tmp_path / "channels.csv"
    listing.write_text("school-01,第一中学\nbad code,坏\nschool-01,重复\nno-name\n", encoding="utf-8-sig")
    output = tmp_path / "posters.zip"
    result = runner.invoke(args=["qr", "batch", "demo", "--channels", str(listing), "-o", str(output)])
    assert_one_line_failure(result, "channels.csv", "第 2 行", "第 3 行", "第 4 行", "未生成任何文件")
    assert re.search(r"3 处错误", result.stderr)
    assert not output.exists()
    assert channel_names(app) == {}


def test_batch_missing_list_file(app, runner, contest, tmp_path):
    result = runner.invoke(args=["qr", "batch", "demo", "--channels", str(tmp_path / "none.csv"),
                                 "-o", str(tmp_path / "p.zip")])
    assert result.exit_code != 0


# --- qr stats --------------------------------------------------------------------------------


def test_stats_prints_a_row_per_channel(app, runner, api, tmp_path):
    runner.invoke(args=["qr", "channel", "add", "demo", "school-01", "进校园"])
    runner.invoke(args=["qr", "channel", "add", "demo", "village-02", "进农村"])
    follow(app, app.test_client(), f"{BASE}/s/demo/school-01")
    follow(app, app.test_client(), f"{BASE}/s/demo/school-01")
    api.register(phone="13800000001", channel="school-01")
    api.register(phone="13800000002", channel="village-02")
    api.register(phone="13800000003")
    result = runner.invoke(args=["qr", "stats", "demo"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split("\t")[:6] == ["渠道代码", "扫码", "登记", "完成答题", "获抽奖资格", "中奖"]
    assert lines[1:] == ["school-01\t2\t1\t0\t0\t—\t进校园", "village-02\t0\t1\t0\t0\t—\t进农村",
                         "-\t0\t1\t0\t0\t—\t（无渠道）"]


def test_a_poster_without_an_organizer_is_warned_about(app, runner, contest, tmp_path):
    app.config["PUBLIC_BASE_URL"] = "https://yjj.nmg.example.cn"
    output, result = make(runner, tmp_path, "--format", "pdf", name="p.pdf")
    assert result.exit_code == 0 and output.stat().st_size > 0
    assert "未填写主办单位" in result.stderr
    png_output, png = make(runner, tmp_path, "--format", "png", name="q.png")
    assert png.stderr == ""  # a bare QR code carries no organizer anyway
    with app.app_context():
        from quizapp.services.contests import get_contest

        get_contest("demo").organizer = "包头市市场监督管理局"
        db.session.commit()
    output, result = make(runner, tmp_path, "--format", "pdf", name="r.pdf")
    assert result.exit_code == 0 and result.stderr == ""
