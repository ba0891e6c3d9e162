"""Small server-rendered status pages: the list (in the service's or the reader's language) and one workbook's
report (in its own), its "Sync now" button, and on the local service a form to register a workbook file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal
from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..errors import NotAllowed, OkrsyncError
from ..template import catalog
from ..writeback.percent import percent_text
from .api import editable_workbook, register
from .auth import Caller, authenticate, may_see, request_lang, require_own_form
from .context import Service, service
from .registry import ADDON, aware
from .runner import sync_workbook
from .views import detail_json, summary_json
from .workbooks import MAX_PATH, named_file

bp = Blueprint("pages", __name__, template_folder="templates")
#: The order the Monday meeting goes through KRs in: the ones that need help first.
FOCUS_ORDER = {"red": 0, "yellow": 1}


def helpers(lang: str) -> dict[str, Callable[..., Any]]:
    """What templates format with: messages, status words and colours, percentages and numbers."""
    locale = str(catalog.template()["default_locale"][lang])
    colours: dict[str, str] = catalog.template()["colors"]

    def pc(value: float | None) -> str:
        """A share as the workbook's locale writes percentages, half-up to a whole percent as the sheet shows it."""
        return percent_text(value, locale)

    def num(value: float | None) -> str:
        """A figure as the workbook's locale writes numbers."""
        return "—" if value is None else format_decimal(value, locale=locale)

    def when(stamp: str | None) -> str:
        """A run's time, in UTC (the page cannot know the reader's zone)."""
        if not stamp:
            return catalog.message("page.never_synced", lang)
        moment = aware(dt.datetime.fromisoformat(stamp))
        assert moment is not None
        return moment.strftime("%Y-%m-%d %H:%M UTC")

    def trigger_word(trigger: str) -> str:
        """What started a run (the workbook's menu, the nightly run…), in the reader's words."""
        key = f"page.trigger_{trigger}"
        return catalog.message(key, lang) if key in catalog.messages() else trigger

    return {
        "t": lambda key, **kw: catalog.message(key, lang, **kw),
        "trigger_word": trigger_word,
        "status_word": lambda status: catalog.word("status", status or "none", lang),
        "colour": lambda status: colours.get(status or "none", colours["none"]),
        "kr_type": lambda kind: catalog.words("kr_types", lang).get(kind, kind),
        "pc": pc,
        "num": num,
        "when": when,
    }


def page_lang() -> str:
    """The language of a page that shows several workbooks, and of a page's errors: ?lang=, else the service's
    own (`okrsync serve` speaks its person's), else the browser's, else French."""
    asked = request.args.get("lang")
    if asked in catalog.LANGS:
        return asked
    own = service().config.get("PAGE_LANG")
    return own if own in catalog.LANGS else request_lang(request.headers, "fr")


@bp.get("/")
def index() -> ResponseReturnValue:
    """Every workbook the caller may see, its last sync and its KRs by status; on the local service, a form
    to register a workbook file by its path."""
    svc = service()
    return _index(svc, authenticate(svc, request.headers), page_lang())


def _index(svc: Service, caller: Caller, lang: str, status: int = 200, error: str | None = None,
           path: str = "") -> ResponseReturnValue:
    rows = [summary_json(svc.registry, wb) for wb in svc.registry.workbooks() if may_see(caller, wb)]
    page = render_template("index.html", lang=lang, workbooks=rows, local=caller.local, token=_token(svc),
                           error=error, path=path[:MAX_PATH], **helpers(lang))
    return page, status


def _token(svc: Service) -> str:
    """What a page's forms carry to prove they are ours; only posts without sign-in need it."""
    return "" if svc.auth_enabled else svc.form_token


@bp.post("/register")
def register_file() -> ResponseReturnValue:
    """Register a workbook file of this machine by its path and sync it (the local service, without sign-in)."""
    svc, lang = service(), page_lang()
    caller = authenticate(svc, request.headers)
    if not caller.local:
        raise NotAllowed("service.form_local_only", lang)
    require_own_form(svc, request.headers, request.form.get("token", ""), lang)
    typed = request.form.get("path", "")
    try:
        wb, new = register(svc, caller, "xlsx", str(named_file(typed, lang)), lang)
    except OkrsyncError as refused:  # the list again, the path as typed, the reason beside it
        return _index(svc, caller, lang, refused.status_code, refused.message_in(lang), typed)
    if not new:
        return redirect(url_for("pages.workbook", workbook_id=wb.id), 303)
    outcome = sync_workbook(svc, wb, "register", raise_errors=False)
    return redirect(url_for("pages.workbook", workbook_id=wb.id, run=outcome.run.id), 303)


@bp.get("/workbooks/<workbook_id>")
def workbook(workbook_id: str) -> ResponseReturnValue:
    """One workbook's latest report: organisation, teams, objectives, KRs, the focus list, the problems; the
    result of the sync its button (or the register form) just ran, when `?run=` names it."""
    svc, wb = editable_workbook(workbook_id)
    detail = detail_json(svc.registry, wb)
    report = detail["report"]
    lang = report["workbook"]["lang"] if report else wb.lang
    focus = []
    if report:
        focus = sorted((kr for kr in report["key_results"] if kr["status"] in FOCUS_ORDER),
                       key=lambda kr: (FOCUS_ORDER[kr["status"]], kr["team"] or "", kr["id"]))
    run = detail["latest_run"]
    just_ran = run if run and request.args.get("run") == str(run["id"]) else None
    return render_template("workbook.html", lang=lang, detail=detail, wb=detail["workbook"], report=report,
                           run=run, just_ran=just_ran, focus=focus, can_sync=wb.backend != ADDON,
                           token=_token(svc), **helpers(lang))


@bp.post("/workbooks/<workbook_id>/sync")
def sync(workbook_id: str) -> ResponseReturnValue:
    """The workbook page's "Sync now": sync it as the API does, then show its page with the result."""
    svc, wb = editable_workbook(workbook_id)
    require_own_form(svc, request.headers, request.form.get("token", ""), page_lang())
    outcome = sync_workbook(svc, wb, "page", raise_errors=False)
    return redirect(url_for("pages.workbook", workbook_id=wb.id, run=outcome.run.id), 303)
