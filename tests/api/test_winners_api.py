"""GET /api/v1/contests/{slug}/winners (CONTRACT §1): the public notice before and after the draw."""

from __future__ import annotations

from quizapp.domain.prize_draw import verify_document
from quizapp.services import draw as draw_service
from tests.services.test_draw_support import AFTER_END, SLUG, me, phone, play

URL = f"/api/v1/contests/{SLUG}/winners"


def register_consenting(client, i: int) -> str:
    """A participant who agreed to have the masked name published in the notice (PIPL Art. 25)."""
    body = {"name": f"欧阳娜{i}", "phone": phone(i), "region": "包头市", "consent": True, "publish_consent": True}
    response = client.post(f"/api/v1/contests/{SLUG}/participants", json=body)
    assert response.status_code == 201
    return response.get_json()["token"]


def test_before_any_commitment(client, contest):
    body = client.get(URL).get_json()
    assert body["commitment"] is None and body["reveal"] is None and body["winners"] == []
    assert body["draw_after"] == "2026-12-15T23:59:59+08:00"
    assert client.get("/api/v1/contests/nope/winners").status_code == 404


def test_commitment_then_reveal(app, client, clock, contest):
    tokens = [register_consenting(client, i) for i in range(4)]
    for i, token in enumerate(tokens):
        play(app, client, clock, phone(i), name=f"欧阳娜{i}", token=token)
    codes = sorted(me(client, token)["entrant_code"] for token in tokens)
    clock.now = AFTER_END
    with app.app_context():
        draw = draw_service.commit_draw(SLUG, clock.now, "主办方", "2026-12-17 福彩3D")
        seed = draw.seed_hex
    committed = client.get(URL)
    body = committed.get_json()
    assert set(body["commitment"]) >= {"entrants_sha256", "seed_sha256", "entropy_source"}
    assert body["commitment"]["entropy_source"] == "2026-12-17 福彩3D" and body["commitment"]["entrant_count"] == 4
    assert body["reveal"] is None and body["winners"] == []
    assert seed not in committed.get_data(as_text=True)  # never before the reveal
    assert client.get(URL + "?full=1").get_json()["entrants"] == codes
    assert "entrants" not in body

    with app.app_context():
        draw_service.run_draw(SLUG, clock.now, "主办方", "371")
    after = client.get(URL)
    body = after.get_json()
    assert body["reveal"]["seed"] == seed and body["reveal"]["public_entropy"] == "371"
    assert [w["tier"] for w in body["winners"]] == [1, 2, 2]
    for winner in body["winners"]:
        assert set(winner) >= {"tier", "prize", "name", "region", "entrant_code"}
        assert winner["name"] == "欧阳**" and winner["phone"].startswith("139****") and winner["entrant_code"] in codes
    text = after.get_data(as_text=True)
    assert "欧阳娜" not in text and phone(0) not in text
    assert verify_document(client.get(URL + "?full=1").get_json()) == []
