"""The role → allowed-actions table of the organizer console: the one place views and the CLI ask."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "organizer", "staff")
ROLE_NAMES = {"admin": "管理员", "organizer": "组织方", "staff": "活动工作人员"}

# Each action names one thing a console page or command does.
VIEW_CONTESTS = "contests.view"
EDIT_CONTESTS = "contests.edit"
PREVIEW_CONTESTS = "contests.preview"
VIEW_BANKS = "banks.view"
EDIT_BANKS = "banks.edit"          # import, edit, retire and restore questions
REVIEW_BANKS = "banks.review"      # mark questions 已审核
EXPORT_BANKS = "banks.export"
VIEW_CHANNELS = "channels.view"    # channel list, QR codes and posters
EDIT_CHANNELS = "channels.edit"
VIEW_DRAW = "draw.view"
RUN_DRAW = "draw.run"
VIEW_STATS = "stats.view"
EXPORT_MASKED = "export.masked"
EXPORT_FULL = "export.full"        # full names and phones: admin only, always audited
MANAGE_ACCOUNTS = "accounts.manage"
VIEW_AUDIT = "audit.view"

_ORGANIZER = frozenset({
    VIEW_CONTESTS, EDIT_CONTESTS, PREVIEW_CONTESTS, VIEW_BANKS, EDIT_BANKS, REVIEW_BANKS, EXPORT_BANKS,
    VIEW_CHANNELS, EDIT_CHANNELS, VIEW_DRAW, RUN_DRAW, VIEW_STATS, EXPORT_MASKED, VIEW_AUDIT,
})
_STAFF = frozenset({VIEW_CONTESTS, VIEW_CHANNELS, VIEW_STATS})

ALLOWED: dict[str, frozenset[str]] = {
    "admin": _ORGANIZER | {EXPORT_FULL, MANAGE_ACCOUNTS},
    "organizer": _ORGANIZER,
    "staff": _STAFF,
}


def allowed(role: str | None, action: str) -> bool:
    """Whether a role may perform an action; an unknown role may do nothing."""
    return action in ALLOWED.get(role or "", frozenset())


def role_name(role: str) -> str:
    """The role's Chinese name for pages."""
    return ROLE_NAMES.get(role, role)


@dataclass(frozen=True)
class RegionScope:
    """Which participants an account may see: every region (None) or one region."""

    region: str | None = None

    @property
    def limited(self) -> bool:
        """True when the account sees one region only."""
        return self.region is not None

    def admits(self, region: str | None) -> bool:
        """Whether a participant of `region` is inside this scope."""
        if self.region is None or region == self.region:
            return True
        # A 盟市 account also sees that 盟市's 旗县区 ("通辽市/奈曼旗").
        return (region or "").startswith(self.region + "/")


EVERYWHERE = RegionScope()
