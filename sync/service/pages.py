"""Small server-rendered status pages, each in its workbook's language: the list, and one workbook's report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal
from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from .. import catalog
from ..percent import percent_text
from .api import editable_workbook
from .auth import authenticate, may_see, request_lang
from .context import service
from .registry import aware
from .views import detail_json, summary_json

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
    """The language of a page that shows several workbooks: ?lang=, else the browser's, else French."""
    asked = request.args.get("lang")
    return asked if asked in catalog.LANGS else request_lang(request.headers, "fr")


@bp.get("/")
def index() -> ResponseReturnValue:
    """Every workbook the caller may see, its last sync and its KRs by status."""
    svc = service()
    caller = authenticate(svc, request.headers)
    lang = page_lang()
    rows = [summary_json(svc.registry, wb) for wb in svc.registry.workbooks() if may_see(caller, wb)]
    return render_template("index.html", lang=lang, workbooks=rows, **helpers(lang))


@bp.get("/workbooks/<workbook_id>")
def workbook(workbook_id: str) -> ResponseReturnValue:
    """One workbook's latest report: organisation, teams, objectives, KRs, the focus list, the problems."""
    svc, wb = editable_workbook(workbook_id)
    detail = detail_json(svc.registry, wb)
    report = detail["report"]
    lang = report["workbook"]["lang"] if report else wb.lang
    focus = []
    if report:
        focus = sorted((kr for kr in report["key_results"] if kr["status"] in FOCUS_ORDER),
                       key=lambda kr: (FOCUS_ORDER[kr["status"]], kr["team"] or "", kr["id"]))
    return render_template("workbook.html", lang=lang, detail=detail, wb=detail["workbook"], report=report,
                           run=detail["latest_run"], focus=focus, **helpers(lang))
