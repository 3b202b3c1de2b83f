"""Settings: where they come from, in which order, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.config import DEFAULT_ZONES, load_config
from syndicate.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.source is None
    assert config.site.base_url == "http://127.0.0.1:8080"
    assert config.ingest.zone_abbreviations == DEFAULT_ZONES
    assert config.database.url == f"sqlite:///{tmp_path}/var/syndicate.db"


def test_file_then_env_precedence(tmp_path: Path) -> None:
    path = write(tmp_path, '[site]\nname = "From file"\nlanguage = "de"\n')
    config = load_config(path, environ={"SYNDICATE_SITE_NAME": "From env"})
    assert config.site.name == "From env"
    assert config.site.language == "de"


def test_config_found_by_variable_then_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write(elsewhere, '[site]\nname = "By variable"\n')
    write(tmp_path, '[site]\nname = "Local"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(environ={}).site.name == "Local"
    monkeypatch.setenv("SYNDICATE_CONFIG", str(elsewhere / "config.toml"))
    assert load_config().site.name == "By variable"
    assert load_config(tmp_path / "config.toml").site.name == "Local"


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[database]\nurl = "sqlite:///data/x.db"\n[ingest]\nexamples = "samples"\n'
    )
    config = load_config(path, environ={})
    assert config.database.url == f"sqlite:///{tmp_path}/data/x.db"
    assert config.ingest.examples == tmp_path / "samples"
    absolute = load_config(path, environ={"SYNDICATE_DATABASE_URL": "sqlite:////srv/x.db"})
    assert absolute.database.url == "sqlite:////srv/x.db"


def test_env_values_are_typed(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, ""),
        environ={
            "SYNDICATE_LIMITS_MAX_LIST_DEPTH": "4",
            "SYNDICATE_INGEST_BOILERPLATE": "^Ad:.*$, ^Sponsored$",
            "SYNDICATE_INGEST_ZONE_ABBREVIATIONS": "IST=+05:30, CST=-06:00",
        },
    )
    assert config.limits.max_list_depth == 4
    assert config.ingest.boilerplate == ("^Ad:.*$", "^Sponsored$")
    assert config.ingest.zone_abbreviations == {"IST": "+05:30", "CST": "-06:00"}


def test_bad_env_value_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SYNDICATE_LIMITS_MAX_LIST_DEPTH"):
        load_config(write(tmp_path, ""), environ={"SYNDICATE_LIMITS_MAX_LIST_DEPTH": "deep"})


def test_unknown_variables_warn_but_reserved_ones_do_not(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, ""),
        environ={
            "SYNDICATE_SITE_NAMME": "typo",
            "SYNDICATE_TEST_PG_URL": "x",
            "SYNDICATE_API_TOKEN": "y",
            "SYNDICATE_CONFIG": str(tmp_path / "config.toml"),
        },
    )
    assert config.warnings == ("unknown environment variable SYNDICATE_SITE_NAMME ignored",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[site]\nbase_ulr = 'x'\n", "unknown key site.base_ulr"),
        ("[sight]\nname = 'x'\n", "unknown section [sight]"),
        ("[limits]\nmax_list_depth = 'deep'\n", "limits.max_list_depth: expected an integer"),
        ("[limits]\nmax_list_depth = 0\n", "limits.max_list_depth must be between 1 and 32"),
        ("[ingest]\nboilerplate = 'x'\n", "ingest.boilerplate: expected a list of strings"),
        ("[site\n", "not valid TOML"),
    ],
)
def test_file_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert message in caught.value.message
    assert caught.value.file == str(path)


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", environ={})
