"""Benchmark of the prize draw over 1,000,000 eligible entrants (domain level, no database).

Times what `draw commit` and `draw run` compute (sort the entrant codes, hash the list, draw every
tier) and what the standalone verifier does with the published JSON. Target: the draw under 5 s.

    .venv/bin/python bench/draw.py [--entrants 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quizapp.domain import prize_draw  # noqa: E402
from quizapp.domain.eligibility import ENTRANT_ALPHABET, ENTRANT_CODE_LENGTH  # noqa: E402

PRIZES = [{"tier": 1, "name": "一等奖", "count": 10}, {"tier": 2, "name": "二等奖", "count": 100},
          {"tier": 3, "name": "三等奖", "count": 1000}]
TARGET_SECONDS = 5.0


def generate_codes(count: int, rng: random.Random) -> list[str]:
    """Distinct random entrant codes, in no particular order (as the database returns them)."""
    codes: set[str] = set()
    bits = 5 * ENTRANT_CODE_LENGTH
    while len(codes) < count:
        value = rng.getrandbits(bits)
        codes.add("".join(ENTRANT_ALPHABET[(value >> (5 * i)) & 31] for i in range(ENTRANT_CODE_LENGTH)))
    return list(codes)


def timed(label: str, func, *args):
    """Run func(*args), print how long it took, return (result, seconds)."""
    started = time.perf_counter()
    result = func(*args)
    elapsed = time.perf_counter() - started
    print(f"  {label:<34}{elapsed:8.3f} s")
    return result, elapsed


def main() -> int:
    """Generate the entrants, then time the draw and its verification."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entrants", type=int, default=1_000_000)
    args = parser.parse_args()
    codes, _ = timed(f"generate {args.entrants:,} codes", generate_codes, args.entrants, random.Random(2026))
    seed = secrets.token_hex(prize_draw.SEED_BYTES)
    print("draw:")
    ordered, t_sort = timed("sort the entrant list", sorted, codes)
    digest, t_hash = timed("SHA-256 of the list (+ checks)", prize_draw.entrants_sha256, ordered)
    picks, t_draw = timed(f"draw {sum(p['count'] for p in PRIZES):,} winners",
                          prize_draw.draw, seed, "2026-12-17 福彩3D 582", digest, len(ordered), PRIZES)
    total = t_sort + t_hash + t_draw
    winners = [{"tier": p.tier, "prize": p.prize, "entrant_code": ordered[p.position]} for p in picks]
    document = {"algorithm": prize_draw.ALGORITHM, "entrants": ordered, "winners": winners,
                "commitment": {"entrants_sha256": digest, "seed_sha256": prize_draw.seed_sha256(seed),
                               "prizes": PRIZES},
                "reveal": {"seed": seed, "public_entropy": "2026-12-17 福彩3D 582"}}
    text = json.dumps(document)
    print("verify (standalone, from the published JSON):")
    parsed, t_parse = timed(f"parse {len(text) / 1e6:.1f} MB of JSON", json.loads, text)
    problems, t_verify = timed("recompute and compare", prize_draw.verify_document, parsed)
    assert not problems, problems
    verdict = "OK" if total < TARGET_SECONDS else "SLOWER THAN TARGET"
    print(f"draw over {len(ordered):,} entrants: {total:.2f} s (target < {TARGET_SECONDS:g} s) {verdict}; "
          f"verification {t_parse + t_verify:.2f} s")
    return 0 if total < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
