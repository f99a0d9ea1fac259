"""The public leaderboard: best attempt per participant, explicit tie-breaks, masked names."""

from tests.helpers import correct_answers, wrong_answers


def play(api, app, clock, phone, name, perfect=True, seconds=60):
    api.register(phone=phone, name=name)
    attempt = api.start().get_json()
    clock.advance(seconds=seconds)
    answers = (correct_answers if perfect else wrong_answers)(app, attempt["attempt_id"])
    return api.submit(attempt["attempt_id"], answers).get_json()


def test_ranking_breaks_ties_by_duration_then_submission(app, api, clock):
    play(api, app, clock, "13800000001", "欧阳娜娜", seconds=90)
    play(api, app, clock, "13800000002", "王五", seconds=30)
    play(api, app, clock, "13800000003", "赵六", perfect=False, seconds=10)
    play(api, app, clock, "13800000004", "孙七", seconds=90)
    entries = api.client.get("/api/v1/contests/demo/leaderboard").get_json()["entries"]
    assert [(e["rank"], e["name"], e["score"], e["duration_seconds"]) for e in entries] == [
        (1, "王*", 50, 30), (2, "欧阳**", 50, 90), (3, "孙*", 50, 90), (4, "赵*", 0, 10)]


def test_only_the_best_attempt_counts_and_running_attempts_are_not_listed(app, api, clock):
    play(api, app, clock, "13800000001", "张三", perfect=False)
    second = api.start().get_json()
    api.submit(second["attempt_id"], correct_answers(app, second["attempt_id"]))
    api.start()  # a third attempt left running
    api.register(phone="13800000009", name="李四")  # registered, never finished
    entries = api.client.get("/api/v1/contests/demo/leaderboard").get_json()["entries"]
    assert len(entries) == 1 and entries[0]["score"] == 50


def test_limit_parameter(app, api, clock):
    for index in range(3):
        play(api, app, clock, f"1380000000{index}", "张三")
    assert len(api.client.get("/api/v1/contests/demo/leaderboard?limit=2").get_json()["entries"]) == 2
    assert len(api.client.get("/api/v1/contests/demo/leaderboard?limit=abc").get_json()["entries"]) == 3


def test_leaderboard_never_shows_phones_or_full_names(app, api, clock):
    play(api, app, clock, "13812345678", "张小明")
    text = api.client.get("/api/v1/contests/demo/leaderboard").get_data(as_text=True)
    assert "张小明" not in text and "13812345678" not in text and "张**" in text
