"""axe-core in a Playwright page: the engine comes from node_modules (npm, the version package-lock.json
pins; `make test` installs it), is injected from that file, and never from a CDN."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_axe() -> None:
    """Skip the test when axe-core is not installed (a checkout where `npm ci` has not run)."""
    if not AXE_JS.exists():
        pytest.skip(f"{AXE_JS.relative_to(ROOT)} is missing: run `make node-deps` (npm ci)")


def axe_violations(page, tags: list[str] | None = None, rules: list[str] | None = None) -> list[dict]:
    """Run axe on the page as it is now; its violations for `tags` (WCAG 2.1 A and AA by default),
    or for the rule ids in `rules` alone. The page's context needs bypass_csp: the app's CSP refuses
    an injected script, rightly."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": tags or WCAG_AA}
    result = page.evaluate("options => axe.run(document, options)", {"runOnly": only, "resultTypes": ["violations"]})
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """A readable account of violations: rule, impact, what it asks, and each offending element."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]} -- {summary[:240]}")
    return "\n".join(lines)
