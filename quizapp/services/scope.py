"""Applying an account's region scope to queries: the filter the statistics and exports accept."""

from __future__ import annotations

from sqlalchemy import or_

from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.regions import REGION_SEPARATOR
from ..models import Participant


def _like_prefix(region: str) -> str:
    # LIKE treats % and _ as wildcards; a region named with them must still match only itself.
    escaped = region.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + REGION_SEPARATOR + "%"


def within_scope(select, scope: RegionScope = EVERYWHERE, column=Participant.region):
    """`select` limited to participants in the scope's region and, for a 盟市, its 旗县区 (unchanged for
    an unlimited scope)."""
    if not scope.limited:
        return select
    return select.where(or_(column == scope.region, column.like(_like_prefix(scope.region), escape="\\")))
