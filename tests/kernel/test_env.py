import os
import subprocess
import sys

import pytest

from khuyencong.kernel.env import (
    ImproperEnvironment,
    env_bool,
    env_choice,
    env_database_url,
    env_int,
    env_list,
    env_str,
)


def test_missing_required_variable_names_it():
    with pytest.raises(ImproperEnvironment, match="SECRET_KEY"):
        env_str("SECRET_KEY", environ={})


def test_malformed_values_name_the_variable():
    with pytest.raises(ImproperEnvironment, match="KC_WORKERS"):
        env_int("KC_WORKERS", environ={"KC_WORKERS": "two"})
    with pytest.raises(ImproperEnvironment, match="DEBUG"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})
    with pytest.raises(ImproperEnvironment, match="KC_ENV"):
        env_choice("KC_ENV", ("development", "production"), environ={"KC_ENV": "staging"})
    with pytest.raises(ImproperEnvironment, match="DATABASE_URL"):
        env_database_url("DATABASE_URL", environ={"DATABASE_URL": "not a url"})
    with pytest.raises(ImproperEnvironment, match="DATABASE_URL"):
        env_database_url("DATABASE_URL", environ={"DATABASE_URL": "mysql://x@y/z"})
    with pytest.raises(ImproperEnvironment, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", minimum=1, environ={"EMAIL_PORT": "0"})


def test_typed_values_parse():
    env = {"A": "yes", "B": " 42 ", "C": "a.vn, b.vn,", "D": "postgres://postgres@127.0.0.1:5432/kc"}
    assert env_bool("A", environ=env) is True
    assert env_int("B", environ=env) == 42
    assert env_list("C", environ=env) == ["a.vn", "b.vn"]
    assert env_database_url("D", environ=env)["NAME"] == "kc"
    assert env_str("MISSING", "fallback", environ=env) == "fallback"


def _start(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "khuyencong", "check"], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"KC_ENV": "production"}, "SECRET_KEY"),
        ({"KC_ENV": "production", "SECRET_KEY": "s" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789"}, "ALLOWED_HOSTS"),
        ({"KC_ENV": "nonsense"}, "KC_ENV"),
        ({"DATABASE_URL": "ftp://nowhere"}, "DATABASE_URL"),
        ({"KC_TASK_BACKEND": "rabbit"}, "KC_TASK_BACKEND"),
    ],
)
def test_start_up_fails_naming_the_variable(overrides, named):
    result = _start(overrides)
    assert result.returncode != 0
    assert named in result.stderr
