"""A prize draw anyone can verify (commit, public entropy, reveal, verify); standard library only.

This file imports nothing outside Python's standard library so that a participant can download it
and run ``python3 prize_draw.py verify winners.json`` at home (inside the app it is also
``python -m quizapp.domain.prize_draw verify winners.json``). Construction ``quizapp-draw-v1``:

1. Entrant list: the entrant codes, unique and sorted by code point, each followed by "\\n",
   encoded as UTF-8. ``entrants_sha256`` = SHA-256 of those bytes (``sha256sum entrants.txt``).
2. Seed: 32 bytes from ``secrets``, published at the reveal as 64 lowercase hex characters;
   ``seed_sha256`` = SHA-256 of those 64 ASCII characters (``printf %s SEED | sha256sum``).
3. Random stream: block i (i = 0, 1, 2, ...) = HMAC-SHA256(key = the 32 seed bytes,
   msg = entrants_sha256 as 32 bytes || SHA-256(public entropy as UTF-8) as 32 bytes ||
   i as 8-byte big-endian). The blocks are concatenated and read 8 bytes at a time as
   big-endian unsigned 64-bit integers u.
4. Index below n (rejection sampling, no modulo bias): with limit = 2^64 - (2^64 mod n), a u
   >= limit is discarded and the next u read; otherwise the index is u mod n.
5. Winners: prize tiers in ascending tier number (1 = first prize), each taking `count`
   winners in turn, by a partial Fisher-Yates shuffle of positions 0..N-1 of the sorted list:
   the k-th winner overall (k from 0) swaps position k with k + index_below(N - k) and is the
   entrant now at position k. So nobody wins twice; if the prizes outnumber the entrants,
   the draw stops when everybody has won.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ALGORITHM = "quizapp-draw-v1"
SEED_BYTES = 32
_U64 = 1 << 64


@dataclass(frozen=True)
class Prize:
    """One prize tier: rank (1 = first prize), name and how many winners."""

    tier: int
    name: str
    count: int
    reserve: int = 0


@dataclass(frozen=True)
class Pick:
    """One winner (rank 0) or reserve (rank 1, 2, …): the tier, the prize, the position in the sorted list."""

    tier: int
    prize: str
    position: int
    rank: int = 0


def entrants_bytes(codes: Sequence[str]) -> bytes:
    """The canonical entrant list: one code a line, each line ending in a newline, UTF-8."""
    return "".join(f"{code}\n" for code in codes).encode("utf-8")


def entrants_sha256(codes: Sequence[str]) -> str:
    """SHA-256 (hex) of the canonical entrant list; the codes must already be sorted and unique."""
    check_entrants(codes)
    return hashlib.sha256(entrants_bytes(codes)).hexdigest()


def check_entrants(codes: Sequence[str]) -> None:
    """Raise ValueError unless the codes are non-empty strings, strictly ascending (sorted, unique)."""
    for index, code in enumerate(codes):
        if not isinstance(code, str) or not code or "\n" in code:
            raise ValueError(f"entrants[{index}] is not a valid entrant code")
        if index and codes[index - 1] >= code:
            raise ValueError(f"entrants[{index}] is out of order or repeated")


def seed_sha256(seed_hex: str) -> str:
    """SHA-256 (hex) of the seed's 64 hex characters, as published in the commitment."""
    return hashlib.sha256(seed_hex.encode("ascii")).hexdigest()


def _seed_key(seed_hex: str) -> bytes:
    if len(seed_hex) != 2 * SEED_BYTES or seed_hex != seed_hex.lower():
        raise ValueError(f"the seed must be {2 * SEED_BYTES} lowercase hex characters")
    return bytes.fromhex(seed_hex)


class Stream:
    """HMAC-SHA256 in counter mode, read as 64-bit integers; `below(n)` is unbiased."""

    def __init__(self, seed_hex: str, public_entropy: str, list_sha256: str):
        self._mac = hmac.new(_seed_key(seed_hex), digestmod=hashlib.sha256)
        entropy = hashlib.sha256(public_entropy.encode("utf-8")).digest()
        self._prefix = bytes.fromhex(list_sha256) + entropy
        self._counter = 0
        self._words: list[int] = []

    def _refill(self) -> None:
        mac = self._mac.copy()
        mac.update(self._prefix + self._counter.to_bytes(8, "big"))
        self._counter += 1
        block = mac.digest()
        # Reversed so that pop() hands the words out in stream order.
        self._words = [int.from_bytes(block[i:i + 8], "big") for i in (24, 16, 8, 0)]

    def u64(self) -> int:
        """The next 64-bit unsigned integer of the stream."""
        if not self._words:
            self._refill()
        return self._words.pop()

    def below(self, n: int) -> int:
        """A uniform integer in [0, n): values at or above the largest multiple of n are rejected."""
        if not 0 < n <= _U64:
            raise ValueError("n must be in 1..2^64")
        limit = _U64 - (_U64 % n)
        while True:
            value = self.u64()
            if value < limit:
                return value % n


def normalize_prizes(prizes: Iterable) -> list[Prize]:
    """Prize tiers (Prize objects or {tier, name, count} dicts) in the order they are drawn."""
    items = [p if isinstance(p, Prize) else Prize(int(p["tier"]), str(p["name"]), int(p["count"]),
                                                  int(p.get("reserve") or 0)) for p in prizes]
    return sorted(items, key=lambda prize: prize.tier)


def _slots(prizes: list[Prize]):
    """(tier, prize name, rank) in drawing order: every winner first, then every reserve."""
    for prize in prizes:
        for _ in range(prize.count):
            yield prize.tier, prize.name, 0
    for prize in prizes:
        for rank in range(1, prize.reserve + 1):
            yield prize.tier, prize.name, rank


def draw_all(seed_hex: str, public_entropy: str, list_sha256: str, entrant_count: int,
             prizes: Iterable) -> list[Pick]:
    """Winners, then reserves, without replacement; positions index the sorted entrant list."""
    stream = Stream(seed_hex, public_entropy, list_sha256)
    moved: dict[int, int] = {}  # a sparse Fisher-Yates: only swapped positions are stored
    picks: list[Pick] = []
    for tier, name, rank in _slots(normalize_prizes(prizes)):
        k = len(picks)
        if k >= entrant_count:
            break
        j = k + stream.below(entrant_count - k)
        chosen = moved.get(j, j)
        moved[j] = moved.get(k, k)
        picks.append(Pick(tier, name, chosen, rank))
    return picks


def draw(seed_hex: str, public_entropy: str, list_sha256: str, entrant_count: int, prizes: Iterable) -> list[Pick]:
    """The winners only (rank 0), tier by tier."""
    return [p for p in draw_all(seed_hex, public_entropy, list_sha256, entrant_count, prizes) if p.rank == 0]


def draw_codes(seed_hex: str, public_entropy: str, codes: Sequence[str], prizes: Iterable) -> list[dict]:
    """The winners as published: [{tier, prize, entrant_code}] in drawing order."""
    picks = draw(seed_hex, public_entropy, entrants_sha256(codes), len(codes), prizes)
    return [{"tier": p.tier, "prize": p.prize, "entrant_code": codes[p.position]} for p in picks]


def reserve_codes(seed_hex: str, public_entropy: str, codes: Sequence[str], prizes: Iterable) -> list[dict]:
    """The reserves as published: [{tier, prize, rank, entrant_code}] in drawing order."""
    picks = draw_all(seed_hex, public_entropy, entrants_sha256(codes), len(codes), prizes)
    return [{"tier": p.tier, "prize": p.prize, "rank": p.rank, "entrant_code": codes[p.position]}
            for p in picks if p.rank]


def verify_document(document: dict) -> list[str]:
    """Recompute a published draw (the full winners JSON); returns the problems found, none if it matches."""
    try:
        commitment, reveal = document["commitment"], document["reveal"]
        codes, prizes = document["entrants"], commitment["prizes"]
        published = [(w["tier"], w["prize"], w["entrant_code"]) for w in document["winners"]]
        seed, entropy = reveal["seed"], reveal["public_entropy"]
        expected_list, expected_seed = commitment["entrants_sha256"], commitment["seed_sha256"]
    except (KeyError, TypeError) as exc:
        return [f"公示数据不完整（缺少 {exc}），无法验证"]
    if document.get("algorithm", ALGORITHM) != ALGORITHM:
        return [f"不支持的抽奖算法：{document.get('algorithm')}（本程序验证 {ALGORITHM}）"]
    problems = []
    try:
        if entrants_sha256(codes) != expected_list:
            problems.append("抽奖名单的 SHA-256 与承诺不符")
        if seed_sha256(seed) != expected_seed:
            problems.append("公布的种子与承诺的种子 SHA-256 不符")
        recomputed = [(w["tier"], w["prize"], w["entrant_code"]) for w in draw_codes(seed, entropy, codes, prizes)]
        reserves = [(r["tier"], r["prize"], r["rank"], r["entrant_code"])
                    for r in reserve_codes(seed, entropy, codes, prizes)]
        published_reserves = [(r["tier"], r["prize"], r["rank"], r["entrant_code"])
                              for r in document.get("reserves") or []]
    except (ValueError, KeyError, TypeError) as exc:
        return [*problems, f"无法重算：{exc}"]
    if recomputed != published:
        problems.append("按公开数据重算的中奖名单与公布的中奖名单不一致")
    if reserves != published_reserves:
        problems.append("按公开数据重算的候补名单与公布的候补名单不一致")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """`verify winners.json`: recompute the draw and print whether it matches (exit 0) or not (exit 1)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] != "verify":
        print("用法：python3 prize_draw.py verify winners.json", file=sys.stderr)
        return 2
    try:
        with open(args[1], encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"无法读取 {args[1]}：{exc}", file=sys.stderr)
        return 2
    problems = verify_document(document) if isinstance(document, dict) else ["公示数据应是一个 JSON 对象"]
    if problems:
        print("验证失败：" + "；".join(problems), file=sys.stderr)
        return 1
    count, reserves = len(document["winners"]), len(document.get("reserves") or [])
    also = f"和 {reserves} 名候补" if reserves else ""
    print(f"验证通过：名单 {len(document['entrants'])} 人，承诺与公布一致，重算得到相同的 {count} 名中奖者{also}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
