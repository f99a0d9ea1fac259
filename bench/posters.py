"""Poster benchmark: `flask qr batch` over a generated list of 500 channels (target: under 60 s).

Runs the real command in-process against a throw-away SQLite database holding the shipped banks and
the demo contest, then prints the wall time, the zip's size and the time per poster.

    .venv/bin/python bench/posters.py [--channels 500] [--keep posters.zip]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizapp import create_app  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import utcnow  # noqa: E402
from quizapp.services.banks import load_bank_dir  # noqa: E402
from quizapp.services.contests import load_contest  # noqa: E402

KINDS = ("进农村", "进社区", "进学校", "进企业", "进医院")


def write_channels(path: Path, count: int) -> None:
    """A GBK CSV (as Excel on Chinese Windows saves it) of `count` channels of the 五进 activities."""
    lines = ["渠道代码,渠道名称"]
    lines += [f"wj-{n:04d},五进·{KINDS[n % 5]}·第{n + 1}站" for n in range(count)]
    path.write_bytes("\r\n".join(lines).encode("gbk"))


def prepare(tmp: Path):
    """An app on a fresh SQLite file with the shipped banks and the demo contest."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}", "SECRET_KEY": "bench-only",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        load_bank_dir(ROOT / "questions" / "banks")
        load_contest(json.loads((ROOT / "questions" / "demo-contest.json").read_text(encoding="utf-8")), utcnow())
    return app


def main() -> None:
    """Time one batch of generated channels and print the figure; exit 1 over the 60 s target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="copy the zip here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quizapp-posters-") as name:
        tmp = Path(name)
        app = prepare(tmp)
        listing, output = tmp / "channels.csv", tmp / "posters.zip"
        write_channels(listing, args.channels)
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["qr", "batch", "demo", "--channels", str(listing),
                                                    "-o", str(output)])
        elapsed = time.perf_counter() - started
        if result.exit_code != 0:
            print(result.output, file=sys.stderr)
            sys.exit(result.exit_code)
        pdfs = sum(1 for entry in zipfile.ZipFile(output).namelist() if entry.startswith("wj-"))
        size_mb = output.stat().st_size / 1024 / 1024
        if args.keep:
            shutil.copy(output, args.keep)
    print(result.output.strip())
    print(f"poster batch: {pdfs} posters + index, {size_mb:.1f} MB zip: {elapsed:.2f} s "
          f"({elapsed / max(pdfs, 1) * 1000:.0f} ms a poster; target: < 60 s)")
    sys.exit(0 if elapsed < 60 else 1)


if __name__ == "__main__":
    main()
