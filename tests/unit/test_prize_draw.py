"""The draw construction (quizapp-draw-v1): determinism, sensitivity to every input, verifier, stdlib only."""

from __future__ import annotations

import ast
import copy
import hashlib
import hmac
import json
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.domain import prize_draw
from quizapp.domain.eligibility import ENTRANT_ALPHABET, new_entrant_codes, parse_phone_list
from quizapp.domain.prize_draw import Prize, Stream, draw, draw_codes, verify_document

SEED = "0f" * 32
ENTROPY = "2026-12-18 福彩3D 开奖号码 371"
PRIZES = [{"tier": 1, "name": "一等奖", "count": 1}, {"tier": 2, "name": "二等奖", "count": 3}]
MODULE = Path(prize_draw.__file__)


def codes(n: int = 1000) -> list[str]:
    return sorted(f"E{i:07d}" for i in range(n))


def document(entrants=None, seed=SEED, entropy=ENTROPY, prizes=PRIZES) -> dict:
    """A published notice as the API's ?full=1 gives it."""
    entrants = entrants or codes(50)
    return {"algorithm": prize_draw.ALGORITHM,
            "commitment": {"entrants_sha256": prize_draw.entrants_sha256(entrants),
                           "seed_sha256": prize_draw.seed_sha256(seed), "entropy_source": "福彩3D", "prizes": prizes},
            "reveal": {"seed": seed, "public_entropy": entropy},
            "winners": [{**w, "name": "张*", "region": "包头市"} for w in draw_codes(seed, entropy, entrants, prizes)],
            "entrants": entrants}


def test_list_and_seed_hashes_are_the_documented_ones():
    assert prize_draw.entrants_sha256(["AB", "CD"]) == hashlib.sha256(b"AB\nCD\n").hexdigest()
    assert prize_draw.seed_sha256(SEED) == hashlib.sha256(SEED.encode()).hexdigest()


@pytest.mark.parametrize("bad", [["B", "A"], ["A", "A"], ["A", ""], ["A\nB"]])
def test_entrant_list_must_be_sorted_and_unique(bad):
    with pytest.raises(ValueError):
        prize_draw.entrants_sha256(bad)


def test_stream_is_hmac_sha256_in_counter_mode():
    list_hash = prize_draw.entrants_sha256(codes(10))
    msg = bytes.fromhex(list_hash) + hashlib.sha256(ENTROPY.encode()).digest()
    blocks = b"".join(hmac.new(bytes.fromhex(SEED), msg + i.to_bytes(8, "big"), hashlib.sha256).digest()
                      for i in range(2))
    expected = [int.from_bytes(blocks[i:i + 8], "big") for i in range(0, 64, 8)]
    stream = Stream(SEED, ENTROPY, list_hash)
    assert [stream.u64() for _ in range(8)] == expected


class FixedStream(Stream):
    """A stream that hands out given words, to watch rejection happen."""

    def __init__(self, words):
        self.words = list(words)

    def u64(self) -> int:
        return self.words.pop(0)


def test_values_in_the_biased_tail_are_rejected():
    top = (1 << 64) - 1  # 2^64 mod 3 == 1, so the single largest value would favour index 0
    stream = FixedStream([top, top, 7])
    assert stream.below(3) == 7 % 3 and stream.words == []
    assert FixedStream([top - 1]).below(3) == (top - 1) % 3


def test_same_inputs_same_winners_without_repeats_and_tier_by_tier():
    first = draw(SEED, ENTROPY, prize_draw.entrants_sha256(codes()), 1000, PRIZES)
    second = draw(SEED, ENTROPY, prize_draw.entrants_sha256(codes()), 1000, PRIZES)
    assert first == second
    assert [p.tier for p in first] == [1, 2, 2, 2]
    assert len({p.position for p in first}) == 4


def test_tiers_are_drawn_in_tier_order_whatever_the_listing_order():
    shuffled = [PRIZES[1], PRIZES[0]]
    assert draw_codes(SEED, ENTROPY, codes(), shuffled) == draw_codes(SEED, ENTROPY, codes(), PRIZES)


def test_more_prizes_than_entrants_gives_everyone_one_prize():
    picks = draw(SEED, ENTROPY, prize_draw.entrants_sha256(codes(3)), 3, [Prize(1, "一等奖", 2), Prize(2, "二等奖", 5)])
    assert sorted(p.position for p in picks) == [0, 1, 2]
    assert [p.tier for p in picks] == [1, 1, 2]


def _result(seed=SEED, entropy=ENTROPY, entrants=None, prizes=PRIZES):
    return draw_codes(seed, entropy, entrants or codes(), prizes)


@pytest.mark.parametrize("change", [
    {"seed": "0e" + "0f" * 31},
    {"entropy": ENTROPY + "2"},
    {"entrants": codes()[:-1]},  # one entrant fewer
    {"entrants": sorted([*codes()[:-1], "E9999999"])},  # one code replaced
    {"prizes": [PRIZES[0], {**PRIZES[1], "count": 2}]},
    {"prizes": [{**PRIZES[0], "count": 2}, PRIZES[1]]},
])
def test_changing_any_single_input_changes_the_result(change):
    assert _result(**change) != _result()


def test_a_changed_list_reshuffles_everything_not_only_the_changed_code():
    # The list hash keys the stream, so dropping one non-winner moves every pick.
    base = _result()
    winners = {w["entrant_code"] for w in base}
    loser = next(code for code in codes() if code not in winners)
    other = _result(entrants=[code for code in codes() if code != loser])
    assert [w["entrant_code"] for w in other] != [w["entrant_code"] for w in base]


def test_verifier_accepts_an_honest_notice():
    assert verify_document(document()) == []


def _tampered(path: str, value):
    doc = copy.deepcopy(document())
    *parents, leaf = path.split(".")
    target = doc
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(leaf) if leaf.isdigit() else leaf] = value
    return doc


@pytest.mark.parametrize("path,value", [
    ("winners.0.entrant_code", "E0000049"),
    ("winners.1.prize", "一等奖"),
    ("reveal.seed", "1f" * 32),
    ("reveal.public_entropy", "371 "),
    ("commitment.seed_sha256", "0" * 64),
    ("commitment.entrants_sha256", "0" * 64),
    ("commitment.prizes", [{"tier": 1, "name": "一等奖", "count": 2}, {"tier": 2, "name": "二等奖", "count": 3}]),
    ("entrants", codes(49)),
    ("entrants", sorted([*codes(50), "Z0000000"])),
])
def test_verifier_detects_tampering(path, value):
    assert verify_document(_tampered(path, value))


def test_verifier_detects_swapped_or_dropped_winners():
    doc = document()
    doc["winners"][1], doc["winners"][2] = doc["winners"][2], doc["winners"][1]
    assert verify_document(doc)
    doc = document()
    doc["winners"].pop()
    assert verify_document(doc)


def test_verifier_reports_missing_parts_instead_of_crashing():
    assert verify_document({"commitment": None, "reveal": None, "winners": []})
    assert verify_document({**document(), "algorithm": "other-v9"})


def test_module_imports_only_the_standard_library():
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module}
    relative = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level]
    assert not relative and names <= set(sys.stdlib_module_names) | {"__future__"}


def _run_standalone(tmp_path, doc, *python_flags):
    path = tmp_path / "winners.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    # -S -I: no site-packages and no project on the path: only the standard library is available.
    return subprocess.run([sys.executable, *python_flags, str(MODULE), "verify", str(path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)


def test_standalone_verifier_runs_with_only_the_standard_library(tmp_path):
    ok = _run_standalone(tmp_path, document(), "-S", "-I")
    assert ok.returncode == 0, ok.stderr
    assert "验证通过" in ok.stdout
    bad = _run_standalone(tmp_path, _tampered("reveal.public_entropy", "372"), "-S", "-I")
    assert bad.returncode == 1 and "验证失败" in bad.stderr


def test_verifier_runs_as_a_module_of_the_app(tmp_path):
    path = tmp_path / "winners.json"
    path.write_text(json.dumps(document(), ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "quizapp.domain.prize_draw", "verify", str(path)],
                            capture_output=True, text=True, cwd=MODULE.parents[2], timeout=60)
    assert result.returncode == 0, result.stderr


def test_verifier_usage_and_unreadable_file(tmp_path):
    assert prize_draw.main(["check"]) == 2
    assert prize_draw.main(["verify", str(tmp_path / "missing.json")]) == 2


def test_entrant_codes_are_unambiguous_and_distinct():
    import random

    fresh = new_entrant_codes(2000, {"AAAAAAAA"}, random.Random(1))
    assert len(set(fresh)) == 2000 and "AAAAAAAA" not in fresh
    assert all(len(code) == 8 and set(code) <= set(ENTRANT_ALPHABET) for code in fresh)
    assert not set("01OI") & set(ENTRANT_ALPHABET)


def test_phone_list_reports_bad_lines_by_number():
    phones, errors = parse_phone_list("13812345678\n\n# 工作人员\n+86 139-1234-5678\n12345\n13812345678\nabc\n")
    assert phones == ["13812345678", "13912345678"]
    assert [line for line, _ in errors] == [5, 7]
