"""`/healthz` with the database up and down, and settings validation at start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import Browser

from deliberate.settings import SettingsError, load_settings


async def test_healthz_ok_when_the_database_answers(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_503_when_the_database_does_not_answer(make_app):
    app = make_app(DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere")
    async with Browser(app) as browser:
        response = await browser.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"DELIBERATE_ENV": "production"}, "SECRET_KEY"),
        ({"DELIBERATE_ENV": "staging"}, "DELIBERATE_ENV"),
        ({"DATABASE_URL": "mysql://localhost/x"}, "DATABASE_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT"),
        ({"SMTP_PORT": "70000"}, "SMTP_PORT"),
        ({"BASE_URL": "localhost:8000"}, "BASE_URL"),
        ({"OIDC_ISSUER": "https://id.example"}, "OIDC_CLIENT_ID"),
        ({"SMTP_STARTTLS": "perhaps"}, "SMTP_STARTTLS"),
    ],
)
def test_bad_settings_name_the_setting(environ, named, tmp_path):
    with pytest.raises(SettingsError) as error:
        load_settings({"DELIBERATE_DATA_DIR": str(tmp_path), **environ})
    assert named in str(error.value)


def test_secret_is_hidden_from_reprs(tmp_path):
    settings = load_settings({"DELIBERATE_DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 40})
    assert "k" * 40 not in repr(settings)


def test_development_secret_is_shared_by_every_process(tmp_path):
    first = load_settings({"DELIBERATE_DATA_DIR": str(tmp_path)})
    second = load_settings({"DELIBERATE_DATA_DIR": str(tmp_path)})
    assert str(first.secret_key) == str(second.secret_key)


def test_command_line_refuses_to_start_with_one_clear_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "deliberate", "db", "current"],
        env={"DELIBERATE_ENV": "production", "DELIBERATE_DATA_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: SECRET_KEY is required when DELIBERATE_ENV=production"
    ]


async def test_an_exhausted_connection_pool_answers_503_with_retry_after(make_app):
    from sqlalchemy.exc import TimeoutError as PoolTimeout
    from starlette.routing import Route

    app = make_app()

    async def saturated(request):
        raise PoolTimeout("QueuePool limit reached")

    app.router.routes.insert(0, Route("/saturated", saturated))
    async with Browser(app) as browser:
        response = await browser.get("/saturated")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "Nothing you sent has been saved" in response.text
