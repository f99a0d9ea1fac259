"""Applying an account's region scope to queries: the filter the statistics and exports accept."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.regions import REGION_SEPARATOR
from ..extensions import db
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


def grouped_sums(contest_id: int, scope: RegionScope, keys: list, sums: list, *conditions) -> dict[tuple, list]:
    """GROUP BY `keys` over the contest's participants in the scope, with summable aggregates (counts,
    sums), as {key tuple: [values]}.

    For a limited scope the region leads the grouping, so that the (contest, region, …) covering
    index serves the query instead of a dimension index plus a row lookup per participant; the
    region is then folded away here.
    """
    lead = [Participant.region] if scope.limited else []
    query = within_scope(select(*lead, *keys, *sums).where(Participant.contest_id == contest_id, *conditions),
                         scope).group_by(*lead, *keys)
    folded: dict[tuple, list] = {}
    for row in db.session.execute(query).all():
        key = tuple(row[len(lead):len(lead) + len(keys)])
        into = folded.setdefault(key, [0] * len(sums))
        for index, value in enumerate(row[len(lead) + len(keys):]):
            into[index] += value or 0
    return folded
