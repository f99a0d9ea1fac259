"""Entrant codes: the short public identifiers of eligible participants in the prize draw."""

from __future__ import annotations

import random

from quizapp.domain.participants import normalize_phone

# No 0/O or 1/I: the code is read aloud on the phone and copied by hand from the notice.
ENTRANT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ENTRANT_CODE_LENGTH = 8  # 32^8 ≈ 1.1e12 codes: collisions stay rare even for a national contest


def new_entrant_code(rng: random.Random) -> str:
    """A random entrant code; pass a CSPRNG (secrets.SystemRandom) so codes are not sequential or guessable."""
    return "".join(rng.choice(ENTRANT_ALPHABET) for _ in range(ENTRANT_CODE_LENGTH))


def new_entrant_codes(count: int, taken: set[str], rng: random.Random) -> list[str]:
    """`count` fresh codes that collide neither with `taken` nor with each other."""
    codes: list[str] = []
    seen = set(taken)
    while len(codes) < count:
        code = new_entrant_code(rng)
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def parse_phone_list(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Phones of an exclusion list (one a line; blank lines and # comments skipped) and (line, reason) errors."""
    phones: list[str] = []
    errors: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        raw = line.split("#", 1)[0].strip().strip(",;，；")
        if not raw:
            continue
        phone = normalize_phone(raw)
        if phone is None:
            errors.append((number, "不是有效的手机号码"))
        elif phone not in phones:
            phones.append(phone)
    return phones, errors
