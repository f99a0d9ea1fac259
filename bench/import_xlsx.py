"""Import benchmark: a generated 10,000-question xlsx through `flask bank import`.

Prints the wall time and the importing process's peak RSS (targets: under 10 s, under 300 MB).

    .venv/bin/python bench/import_xlsx.py [--questions 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "出处", "分类", "难度"]


def write_workbook(path: Path, count: int) -> None:
    """A template-shaped workbook with `count` questions of all three types."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("题库")
    sheet.append(HEADER)
    for n in range(count):
        kind = ("单选题", "多选题", "判断题")[n % 3]
        options = ["" for _ in range(6)] if kind == "判断题" else [f"选项{n}-{k}" for k in "ABCD"] + ["", ""]
        answer = {"单选题": "ABCD"[n % 4], "多选题": "AC", "判断题": "对" if n % 2 else "错"}[kind]
        sheet.append([kind, f"第 {n} 题：关于安全用药的说法，哪一项正确？", *options, answer,
                      "解析：" + "按说明书或遵医嘱用药，不随意加量或停药。" * 2, "《中华人民共和国药品管理法》",
                      "安全用药常识", 1 + n % 3])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quizapp-import-") as tmp:
        workbook = Path(tmp) / "bank.xlsx"
        write_workbook(workbook, args.questions)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench-only"}
        flask = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        started = time.perf_counter()
        result = subprocess.run([*flask, "bank", "import", str(workbook), "--bank", "bench"], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        # ru_maxrss of children is the largest of them: the import (db upgrade is far smaller).
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_kb = workbook.stat().st_size / 1024
    print(result.stdout.strip() or result.stderr.strip())
    print(f"xlsx import: {args.questions} questions, {size_kb:.0f} KB file: {elapsed:.2f} s, peak RSS {peak_mb:.0f} MB"
          f" (targets: < 10 s, < 300 MB)")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
