"""`flask user create`: hashed passwords and one-line refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func

from quizapp.extensions import db
from quizapp.models import User
from tests.cli.test_cli import assert_one_line_failure


def test_user_create_hashes_password(app, runner):
    password = "correct horse battery"
    result = runner.invoke(args=["user", "create", "alice", "--role", "admin", "--password-stdin"],
                           input=password + "\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="alice")).scalar_one()
        assert user.role == "admin"
        assert password not in user.password_hash and user.password_hash != password
        from quizapp.services.users import verify_login

        assert verify_login("alice", password) is not None
        assert verify_login("alice", "wrong password!") is None


def test_user_create_prompts_for_password(app, runner):
    result = runner.invoke(args=["user", "create", "bob", "--role", "staff"], input="s3cret-pass-1\ns3cret-pass-1\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        from quizapp.services.users import verify_login

        assert verify_login("bob", "s3cret-pass-1") is not None


@pytest.mark.parametrize("args, password, word", [
    (["carol", "--role", "admin"], "short", "password"),
    (["carol", "--role", "emperor"], "long enough password", "emperor"),
    (["x", "--role", "admin"], "long enough password", "username"),
], ids=["short-password", "bad-role", "bad-username"])
def test_user_create_refusals(app, runner, args, password, word):
    result = runner.invoke(args=["user", "create", *args, "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    assert word in result.stderr
    with app.app_context():
        assert db.session.execute(db.select(func.count(User.id))).scalar_one() == 0


def test_user_create_refuses_duplicate(app, runner):
    args = ["user", "create", "dave", "--role", "organizer", "--password-stdin"]
    assert runner.invoke(args=args, input="first password 1\n").exit_code == 0
    result = runner.invoke(args=args, input="second password 2\n")
    assert_one_line_failure(result, "dave")
    with app.app_context():
        from quizapp.services.users import verify_login

        assert verify_login("dave", "first password 1") is not None


def test_user_passwd_disable_enable(app, runner):
    from quizapp.services.users import verify_login

    runner.invoke(args=["user", "create", "boss", "--role", "admin", "--password-stdin"], input="first password 1\n")
    runner.invoke(args=["user", "create", "erin", "--role", "staff", "--region", "包头市", "--password-stdin"],
                  input="first password 1\n")
    result = runner.invoke(args=["user", "passwd", "erin", "--password-stdin"], input="second password 2\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert verify_login("erin", "second password 2") and not verify_login("erin", "first password 1")
        assert db.session.execute(db.select(User).filter_by(username="erin")).scalar_one().region == "包头市"
    assert runner.invoke(args=["user", "disable", "erin"]).exit_code == 0
    with app.app_context():
        assert verify_login("erin", "second password 2") is None
    listing = runner.invoke(args=["user", "list"]).output
    assert "erin\tstaff\t包头市\t已停用" in listing
    assert runner.invoke(args=["user", "enable", "erin"]).exit_code == 0
    with app.app_context():
        assert verify_login("erin", "second password 2") is not None


def test_user_cli_refuses_to_disable_the_last_admin(app, runner):
    runner.invoke(args=["user", "create", "boss", "--role", "admin", "--password-stdin"], input="first password 1\n")
    assert_one_line_failure(runner.invoke(args=["user", "disable", "boss"]), "最后一个管理员")
    assert_one_line_failure(runner.invoke(args=["user", "passwd", "nobody", "--password-stdin"],
                                          input="second password 2\n"), "nobody")


def test_user_demo_prints_a_random_password_once(app, runner):
    import re

    from quizapp.services.users import verify_login

    first = runner.invoke(args=["user", "demo"])
    assert first.exit_code == 0, first.output
    password = re.search(r"密码：(\S+)", first.output).group(1)
    assert len(password) >= 10
    with app.app_context():
        user = verify_login("demo-organizer", password)
        assert user is not None and user.role == "organizer"
        assert password not in user.password_hash
    second = runner.invoke(args=["user", "demo"])
    assert second.exit_code == 0 and password not in second.output and "已存在" in second.output
