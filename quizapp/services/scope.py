"""Applying an account's region scope to queries: the filter the statistics and exports accept."""

from __future__ import annotations

from ..domain.permissions import EVERYWHERE, RegionScope
from ..models import Participant


def within_scope(select, scope: RegionScope = EVERYWHERE, column=Participant.region):
    """`select` limited to participants in the scope's region (unchanged for an unlimited scope)."""
    return select.where(column == scope.region) if scope.limited else select
