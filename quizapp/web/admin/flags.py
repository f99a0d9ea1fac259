"""作弊标记复核: flagged attempts with their evidence, cleared or upheld with a reason."""

from __future__ import annotations

from . import bp  # noqa: F401  (routes come with the review queue)
