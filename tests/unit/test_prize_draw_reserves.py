"""Reserves (候补): drawn from the same stream after every winner, tier by tier, verifiable."""

from __future__ import annotations

import copy

from quizapp.domain import prize_draw

SEED = "ab" * 32
ENTROPY = "2026-12-17 福彩3D 开奖号码 582"
CODES = sorted(f"E{i:04d}" for i in range(40))
PRIZES = [{"tier": 2, "name": "二等奖", "count": 3, "reserve": 2}, {"tier": 1, "name": "一等奖", "count": 1, "reserve": 1}]


def by_hand(seed: str, entropy: str, codes: list[str], prizes: list[dict]) -> list[tuple]:
    """The construction of the module docstring, written out again with a plain list shuffle."""
    stream = prize_draw.Stream(seed, entropy, prize_draw.entrants_sha256(codes))
    order = list(codes)
    tiers = sorted(prizes, key=lambda p: p["tier"])
    slots = [(p["tier"], p["name"], 0) for p in tiers for _ in range(p["count"])]
    slots += [(p["tier"], p["name"], rank) for p in tiers for rank in range(1, p.get("reserve", 0) + 1)]
    picked = []
    for k, (tier, name, rank) in enumerate(slots):
        if k >= len(order):
            break
        j = k + stream.below(len(order) - k)
        order[k], order[j] = order[j], order[k]
        picked.append((tier, name, rank, order[k]))
    return picked


def test_reserves_follow_every_winner_in_tier_order_ranked_from_one():
    winners = prize_draw.draw_codes(SEED, ENTROPY, CODES, PRIZES)
    reserves = prize_draw.reserve_codes(SEED, ENTROPY, CODES, PRIZES)
    assert [(w["tier"], w["prize"]) for w in winners] == [(1, "一等奖"), (2, "二等奖"), (2, "二等奖"), (2, "二等奖")]
    assert [(r["tier"], r["rank"]) for r in reserves] == [(1, 1), (2, 1), (2, 2)]
    everyone = [w["entrant_code"] for w in winners] + [r["entrant_code"] for r in reserves]
    assert len(set(everyone)) == len(everyone) == 7  # nobody is drawn twice


def test_the_result_is_the_documented_construction():
    expected = by_hand(SEED, ENTROPY, CODES, PRIZES)
    winners = [(w["tier"], w["prize"], 0, w["entrant_code"]) for w in prize_draw.draw_codes(SEED, ENTROPY, CODES, PRIZES)]
    reserves = [(r["tier"], r["prize"], r["rank"], r["entrant_code"])
                for r in prize_draw.reserve_codes(SEED, ENTROPY, CODES, PRIZES)]
    assert winners + reserves == expected


def test_reserves_do_not_change_the_winners():
    without = [{key: p[key] for key in ("tier", "name", "count")} for p in PRIZES]
    assert prize_draw.draw_codes(SEED, ENTROPY, CODES, PRIZES) == prize_draw.draw_codes(SEED, ENTROPY, CODES, without)
    assert prize_draw.reserve_codes(SEED, ENTROPY, CODES, without) == []


def test_reserves_stop_when_everybody_has_been_drawn():
    few = CODES[:5]
    reserves = prize_draw.reserve_codes(SEED, ENTROPY, few, PRIZES)
    assert len(reserves) == 1  # 4 winners, then one of the 3 reserve places
    assert reserves[0]["tier"] == 1


def document() -> dict:
    codes = CODES
    return {"algorithm": prize_draw.ALGORITHM, "entrants": codes,
            "commitment": {"entrants_sha256": prize_draw.entrants_sha256(codes),
                           "seed_sha256": prize_draw.seed_sha256(SEED), "prizes": PRIZES},
            "reveal": {"seed": SEED, "public_entropy": ENTROPY},
            "winners": prize_draw.draw_codes(SEED, ENTROPY, codes, PRIZES),
            "reserves": prize_draw.reserve_codes(SEED, ENTROPY, codes, PRIZES)}


def test_verify_checks_the_reserves_too():
    good = document()
    assert prize_draw.verify_document(good) == []
    swapped = copy.deepcopy(good)
    swapped["reserves"][0]["entrant_code"], swapped["reserves"][1]["entrant_code"] = (
        swapped["reserves"][1]["entrant_code"], swapped["reserves"][0]["entrant_code"])
    assert prize_draw.verify_document(swapped) == ["按公开数据重算的候补名单与公布的候补名单不一致"]
    dropped = copy.deepcopy(good)
    dropped["reserves"] = []
    assert prize_draw.verify_document(dropped) == ["按公开数据重算的候补名单与公布的候补名单不一致"]
