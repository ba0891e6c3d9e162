"""The `okrsync` command: init, demo, sync, validate, add-team, serve, nightly."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import catalog
from .backends.base import Backend
from .backends.xlsx import XlsxBackend
from .demo import AS_OF, demo_layout
from .engine import run_sync
from .errors import BadArgument, OkrsyncError
from .layout import Team, WorkbookSpec, build_layout
from .report import summary

F = TypeVar("F", bound=Callable[..., Any])


def ui_lang() -> str:
    """The language of messages printed before a workbook says its own: OKRSYNC_LANG, else the system's."""
    env = os.environ.get("OKRSYNC_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "fr" if env.lower().startswith("fr") else "en"


def friendly(func: F) -> F:
    """Every okrsync failure becomes one clear sentence and a non-zero exit, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OkrsyncError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def open_backend(target: str, lang: str, credentials: str | None = None) -> Backend:
    """The backend for a target: an .xlsx path, `gsheet:<id>` or a Google Sheets URL."""
    if target.startswith("gsheet:") or "docs.google.com/spreadsheets" in target:
        from .backends.gsheets import open_google

        return open_google(target, lang=lang, credentials=credentials)
    if target.lower().endswith(".xlsx"):
        return XlsxBackend(target, lang=lang)
    raise BadArgument("error.unknown_target", lang, target=target)


def _as_of(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadArgument("error.bad_date", ui_lang(), value=value) from None


def _print_report(report: dict[str, Any], as_json: bool, dry_run: bool) -> None:
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        lang = report["workbook"]["lang"]
        click.echo(summary(report, catalog.template()["default_locale"][lang], dry_run=dry_run))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="okrsync")
def main() -> None:
    """OKRs inside your spreadsheet: provision a workbook, then validate, score and colour it."""


@main.command()
@click.argument("target", required=False)
@click.option("--lang", type=click.Choice(catalog.LANGS), default="fr", show_default=True)
@click.option("--org", "organisation", required=True, help="Organisation name.")
@click.option("--quarter", required=True, help="2025-Q1 (or 2025-T1).")
@click.option("--team", "teams", multiple=True, required=True, help="A team (repeat for each).")
@click.option("--title", help="Workbook title (default: OKR <org> <quarter>).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--google", is_flag=True, help="Create a new Google spreadsheet instead of a file.")
@click.option("--share", "shares", multiple=True, metavar="EMAIL", help="Share the spreadsheet (repeat).")
@click.option("--credentials", type=click.Path(dir_okay=False), help="Google service-account key file.")
@friendly
def init(
    target: str | None,
    lang: str,
    organisation: str,
    quarter: str,
    teams: tuple[str, ...],
    title: str | None,
    force: bool,
    google: bool,
    shares: tuple[str, ...],
    credentials: str | None,
) -> None:
    """Create a new OKR workbook from the template: a local .xlsx TARGET, or a Google spreadsheet (--google)."""
    spec = WorkbookSpec(organisation, lang, quarter, [Team(t) for t in teams], title=title)
    if google:
        from .backends.gsheets import GoogleBackend
        from .google_api import GoogleGateway

        sheet = GoogleBackend(None, GoogleGateway.connect(credentials, lang), lang)
        where = sheet.provision(build_layout(spec), share=shares)
    elif target:
        where = open_backend(target, lang).provision(build_layout(spec), overwrite=force)
    else:
        raise BadArgument("error.init_target", lang)
    click.echo(catalog.message("cli.created", lang, path=where))


@main.command()
@click.option("--lang", type=click.Choice(catalog.LANGS), default="fr", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Where to write the demo workbook.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly
def demo(lang: str, out: str | None, as_json: bool) -> None:
    """Build the demo workbook (a Québec B2B firm, 2025-Q1, six weeks in), sync it and show the result."""
    path = Path(out or f"okrsync-demo-{lang}.xlsx")
    backend = XlsxBackend(path, lang=lang)
    where = backend.provision(demo_layout(lang), overwrite=True)
    report = run_sync(backend, AS_OF)
    _print_report(report, as_json, dry_run=False)
    if not as_json:
        click.echo(catalog.message("cli.demo_written", lang, path=where))


@main.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge progress as of this date (default: today).")
@click.option("--dry-run", is_flag=True, help="Compute everything, write nothing.")
@click.option("--credentials", type=click.Path(dir_okay=False), help="Google service-account key file.")
@friendly
def sync(target: str, as_json: bool, as_of: str | None, dry_run: bool, credentials: str | None) -> None:
    """Validate, score and roll up a workbook, and write the computed cells back."""
    backend = open_backend(target, ui_lang(), credentials)
    report = run_sync(backend, _as_of(as_of), dry_run=dry_run)
    _print_report(report, as_json, dry_run)


@main.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge dates as of this day (default: today).")
@click.option("--credentials", type=click.Path(dir_okay=False), help="Google service-account key file.")
@friendly
def validate(target: str, as_json: bool, as_of: str | None, credentials: str | None) -> None:
    """Check every row and list the problems; write nothing. Exits 1 when a row has an error."""
    backend = open_backend(target, ui_lang(), credentials)
    report = run_sync(backend, _as_of(as_of), dry_run=True)
    if as_json:
        _print_report(report, True, True)
    else:
        lang = report["workbook"]["lang"]
        problems = report["problems"]
        if problems:
            click.echo(catalog.message("summary.problems", lang, count=len(problems)))
            for p in problems:
                click.echo(catalog.message("summary.problem", lang, **p))
        else:
            click.echo(catalog.message("summary.validate_ok", lang, rows=report["checkins"]["valid"]))
    if any(p["severity"] == "error" for p in report["problems"]):
        sys.exit(1)


@main.command("add-team")
@click.argument("target")
@click.argument("name")
@click.option("--manager", default="", help="The team's manager.")
@click.option("--email", default="", help="The manager's e-mail.")
@click.option("--credentials", type=click.Path(dir_okay=False), help="Google service-account key file.")
@friendly
def add_team_command(target: str, name: str, manager: str, email: str, credentials: str | None) -> None:
    """Add a team to a workbook: its row in Settings and its check-in tab, ready for the next sync."""
    from .teams import add_team_to

    lang = ui_lang()
    added = add_team_to(open_backend(target, lang, credentials), Team(name.strip(), manager, email), lang)
    click.echo(catalog.message("cli.team_added", lang, team=name.strip(), tab=added.tab.name))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite registry file (default: in --data).")
@click.option("--data", default="okrsync-data", show_default=True, type=click.Path(file_okay=False),
              help="Folder for local workbooks and the registry.")
@click.option("--no-auth", is_flag=True, help="No sign-in (only with a loopback --host).")
@friendly
def serve(host: str, port: int, db: str | None, data: str, no_auth: bool) -> None:
    """Run the service locally, with the demo workbook registered: open http://127.0.0.1:8080/."""
    from werkzeug.serving import run_simple

    from .service.local import prepare

    lang = ui_lang()
    app, paths = prepare(host, db, data, no_auth, lang=lang, overrides={"LOG_STREAM": sys.stderr})
    svc = app.extensions["okrsync"]
    if not svc.auth_enabled:
        click.echo(catalog.message("cli.serve_no_auth", lang))
    elif not svc.setting_list("AUDIENCES"):
        click.echo(catalog.message("cli.serve_no_audience", lang), err=True)
    click.echo(catalog.message("cli.serve_demo", lang, paths=", ".join(paths)))
    shown = f"[{host}]" if ":" in host else host
    click.echo(catalog.message("cli.serving", lang, url=f"http://{shown}:{port}/"))
    run_simple(host, port, app, threaded=True)


@main.command()
@click.option("--db", type=click.Path(dir_okay=False), help="SQLite registry file (default: DATABASE_URL, "
                                                              "else okrsync-data/okrsync.db).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@friendly
def nightly(db: str | None, as_json: bool) -> None:
    """Sync every active registered workbook once, in this process, under the Sheets quota."""
    from server import create_app

    from .service.context import service
    from .service.jobs import nightly as run_nightly

    # No request is served: nothing to switch off. Logs go to stderr, the summary alone to stdout.
    config: dict[str, Any] = {"AUTH": "on", "LOG_STREAM": sys.stderr}
    if db:
        config["DATABASE_URL"] = f"sqlite:///{Path(db).expanduser().absolute()}"
    app = create_app(config)
    with app.app_context():
        result = run_nightly(service(), in_process=True)
    lang = ui_lang()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(catalog.message("cli.nightly_summary", lang, **result))
        for item in result["results"]:
            if item["error"]:
                click.echo(catalog.message("cli.nightly_failed", lang, workbook=item["workbook_id"],
                                           message=item["error"]["message"]))
    if result["failed"]:
        sys.exit(1)
