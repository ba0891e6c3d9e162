"""The `okrsync` command: init, demo, sync, validate, add-team, serve, nightly."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from ..backends.base import Backend
from ..backends.xlsx import XlsxBackend
from ..engine import Evaluation, sync_evaluated
from ..errors import BadArgument, OkrsyncError
from ..layout.build import Team, WorkbookSpec, build_layout
from ..layout.demo import AS_OF, demo_layout
from ..template import catalog
from ..writeback.report import next_step, summary

F = TypeVar("F", bound=Callable[..., Any])

#: The three ways to give Google credentials, first found wins (google_auth.find_credentials).
CREDENTIALS_HELP = (
    "Google credentials, first found wins: a service-account key file (this option, or the "
    "GOOGLE_APPLICATION_CREDENTIALS variable); else Application Default Credentials (gcloud auth "
    "application-default login); else an OAuth access token in the OKRSYNC_GOOGLE_TOKEN variable."
)
AS_OF_HELP = (
    "Judge {what} as of this day (default: today), written as the workbook writes dates: 2025-02-14, "
    "or 14/02/2025 in a French workbook, 02/14/2025 in an English one."
)


def ui_lang() -> str:
    """The language of messages printed before a workbook says its own: OKRSYNC_LANG, else the system's."""
    env = os.environ.get("OKRSYNC_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "fr" if env.lower().startswith("fr") else "en"


class Failure(click.ClickException):
    """An okrsync failure as the command prints it: `Erreur : …` or `Error: …`, in the message's language."""

    def __init__(self, message: str, lang: str) -> None:
        super().__init__(message)
        self.lang = lang

    def show(self, file: Any = None) -> None:
        click.echo(catalog.message("cli.error", self.lang, message=self.format_message()), file=file, err=True)


def friendly(func: F) -> F:
    """Every okrsync failure becomes one clear sentence and a non-zero exit, never a traceback.

    It is said in the workbook's language once that is known (from the workbook itself, or the `--lang`
    it is being made in), else in the system's (`ui_lang`).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OkrsyncError as exc:
            lang = exc.workbook_lang or kwargs.get("lang") or ui_lang()
            raise Failure(exc.message_in(lang), lang) from None

    return wrapper  # type: ignore[return-value]


def open_backend(target: str, lang: str, credentials: str | None = None) -> Backend:
    """The backend for a target: an .xlsx path, `gsheet:<id>` or a Google Sheets URL."""
    if target.startswith("gsheet:") or "docs.google.com/spreadsheets" in target:
        from ..backends.gsheets import open_google

        return open_google(target, lang=lang, credentials=credentials)
    if target.lower().endswith(".xlsx"):
        return XlsxBackend(target, lang=lang)
    raise BadArgument("error.unknown_target", lang, target=target)


def _print_report(report: dict[str, Any], as_json: bool, dry_run: bool, ev: Evaluation) -> None:
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        locale = catalog.template()["default_locale"][report["workbook"]["lang"]]
        click.echo(summary(report, locale, dry_run=dry_run, next_step=next_step(ev.workbook, ev.krs)))


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
@click.option("--google", is_flag=True, help="Create a new Google spreadsheet instead of a file (see --credentials).")
@click.option("--share", "shares", multiple=True, metavar="EMAIL", help="Share the spreadsheet (repeat).")
@click.option("--credentials", type=click.Path(dir_okay=False), metavar="KEYFILE", help=CREDENTIALS_HELP)
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
        from ..backends.google_api import GoogleGateway
        from ..backends.gsheets import GoogleBackend

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
    report, ev = sync_evaluated(backend, AS_OF)
    _print_report(report, as_json, False, ev)
    if not as_json:
        click.echo(catalog.message("cli.demo_written", lang, path=where))


@main.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP.format(what="progress"))
@click.option("--dry-run", is_flag=True, help="Compute everything, write nothing.")
@click.option("--credentials", type=click.Path(dir_okay=False), help=CREDENTIALS_HELP)
@friendly
def sync(target: str, as_json: bool, as_of: str | None, dry_run: bool, credentials: str | None) -> None:
    """Validate, score and roll up a workbook, and write the computed cells back."""
    backend = open_backend(target, ui_lang(), credentials)
    report, ev = sync_evaluated(backend, as_of or None, dry_run=dry_run)
    _print_report(report, as_json, dry_run, ev)


@main.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP.format(what="dates"))
@click.option("--credentials", type=click.Path(dir_okay=False), help=CREDENTIALS_HELP)
@friendly
def validate(target: str, as_json: bool, as_of: str | None, credentials: str | None) -> None:
    """Check every row and list the problems; write nothing. Exits 1 when a row has an error."""
    backend = open_backend(target, ui_lang(), credentials)
    report, ev = sync_evaluated(backend, as_of or None, dry_run=True)
    if as_json:
        _print_report(report, True, True, ev)
    else:
        lang = report["workbook"]["lang"]
        problems = report["problems"]
        if problems:
            click.echo(catalog.message("summary.problems", lang, count=len(problems)))
            for p in problems:
                click.echo(catalog.message("summary.problem", lang, **p))
        else:
            click.echo(next_step(ev.workbook, ev.krs) or
                       catalog.message("summary.validate_ok", lang, rows=report["checkins"]["valid"]))
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
    from ..layout.teams import add_team_to

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
@click.option("--lang", type=click.Choice(catalog.LANGS),
              help="Language of the pages and the demo (default: French for a fr* locale, else English).")
@friendly
def serve(host: str, port: int, db: str | None, data: str, no_auth: bool, lang: str | None) -> None:
    """Run the service locally, with the demo workbook registered in your language: open http://127.0.0.1:8080/."""
    from werkzeug.serving import run_simple

    from ..service.local import prepare

    lang = lang or ui_lang()
    app, path = prepare(host, db, data, no_auth, lang=lang, overrides={"LOG_STREAM": sys.stderr})
    svc = app.extensions["okrsync"]
    if not svc.auth_enabled:
        click.echo(catalog.message("cli.serve_no_auth", lang))
    elif not svc.setting_list("AUDIENCES"):
        click.echo(catalog.message("cli.serve_no_audience", lang), err=True)
    click.echo(catalog.message("cli.serve_demo", lang, path=path))
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

    from ..service.context import service
    from ..service.jobs import nightly as run_nightly

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
