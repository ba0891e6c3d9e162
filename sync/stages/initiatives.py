"""The initiatives stage: the actions under each KR, checked (a KR that exists, a due date kept, a deliverable
for what is done), counted on the OKR tab, and summed up on the Org tab.

"Lancer une campagne LinkedIn" is an initiative; "Générer 125 leads" the KR it serves. A KR with no initiative is
flagged in its Notes once the workbook uses initiatives at all (a workbook without any is not nagged), unless
team KRs feed it (it moves through theirs).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import Heading, Problem
from ..parsing.cell import cell_text, is_blank, parse_date, parse_number
from ..template import catalog
from .tables import StageInput, StageResult, TableResult

KEY = "initiatives"
STATES = ("todo", "in_progress", "done", "blocked")


def evaluate(ctx: StageInput) -> StageResult:
    """Every initiative row's Validation, each KR's initiative count, the Org tab's section, the report's list."""
    wb, lang = ctx.wb, ctx.wb.settings.lang
    frame, tab = wb.tables[KEY], wb.table_tabs[KEY]
    labels = {c.key: c.label for c in catalog.columns(KEY, lang)}
    kr_ids = {str(k).casefold(): str(k) for k in ctx.krs.index}
    objectives = {r.id.casefold() for r in ctx.rows if r.type == "objective" and r.id}
    problems: list[Problem] = []
    items: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()

    def problem(row: int, column: str, code: str, severity: str, **params: Any) -> None:
        message = catalog.message(f"initiative.{code}", lang, **params)
        problems.append(Problem(tab, row, labels[column], f"initiative_{code}", severity, message))  # type: ignore[arg-type]

    for cells in frame.to_dict("records"):
        row = int(cells["row"])
        kr_text = cell_text(cells.get("kr"))
        kr = kr_ids.get(kr_text.casefold())
        if not kr_text:
            problem(row, "kr", "kr_missing", "error")
        elif kr is None and kr_text.casefold() in objectives:
            problem(row, "kr", "objective_not_kr", "error", kr=kr_text)
        elif kr is None:
            problem(row, "kr", "unknown_kr", "error", kr=kr_text, tab=wb.okr_tab)
        else:
            counts[kr] += 1
        state = _state(cells.get("state"), lang)
        if state is None:
            choices = ", ".join(catalog.words("initiative_states", lang).values())
            problem(row, "state", "unknown_state", "warning", value=cell_text(cells.get("state")), choices=choices)
        due = parse_date(cells.get("due"), wb.settings.locale)
        if due is None and not is_blank(cells.get("due")):
            problem(row, "due", "bad_due", "warning", value=cell_text(cells.get("due")))
        elif due is not None and due < ctx.as_of and state != "done":
            problem(row, "due", "past_due", "warning", due=due.isoformat())
        if state == "done" and is_blank(cells.get("deliverable")):
            problem(row, "deliverable", "done_without_deliverable", "warning")
        budget = parse_number(cells.get("budget"), wb.settings.locale)
        if budget is None and not is_blank(cells.get("budget")):
            problem(row, "budget", "bad_budget", "warning", value=cell_text(cells.get("budget")))
        items.append({
            "row": row, "initiative": cell_text(cells.get("initiative")), "kr": kr or kr_text or None,
            "owner": cell_text(cells.get("owner")) or None, "budget": budget.value if budget else None,
            "deliverable": cell_text(cells.get("deliverable")) or None, "due": due.isoformat() if due else None,
            "state": state, "past_due": bool(due is not None and due < ctx.as_of and state != "done"),
        })
    # A KR that team KRs feed moves through theirs; the others need actions of their own.
    fed = {r.parent.casefold() for r in ctx.rows if r.is_kr and r.parent}
    notes = {} if not items else {kr: [catalog.message("okr.no_initiative", lang, tab=tab)]
                                  for kr in kr_ids.values() if not counts[kr] and kr.casefold() not in fed}
    return StageResult(
        tables={KEY: TableResult({}, problems)},
        okr_values={kr: {KEY: counts[kr]} for kr in kr_ids.values()},
        okr_notes=notes,
        org_section=_org_section(items, lang),
        report={KEY: [{k: v for k, v in item.items() if k != "row"} for item in items]},
    )


def _state(cell: Any, lang: str) -> str | None:
    """The state a cell names, in either language; blank is still to do; None for a word the sync does not know."""
    text = cell_text(cell).casefold()
    if not text:
        return "todo"
    for language in catalog.LANGS:
        for key, word in catalog.words("initiative_states", language).items():
            if word.casefold() == text or key.replace("_", " ") == text:
                return key
    return None


def _org_section(items: list[dict[str, Any]], lang: str) -> list[list[Any]]:
    """The Org tab's lines: how many initiatives in each state, then the blocked and late ones by name."""
    if not items:
        return []
    words = catalog.words("initiative_states", lang)
    by_state = Counter(item["state"] for item in items)
    lines: list[list[Any]] = [
        [Heading(catalog.message("org.initiatives", lang))],
        [catalog.message("org.initiatives_counts", lang, **{s: by_state[s] for s in STATES})],
    ]
    for item in items:
        if item["state"] == "blocked" or item["past_due"]:
            late = catalog.message("org.initiative_late", lang, due=item["due"]) if item["past_due"] else None
            lines.append([f"{item['initiative']} — {item['kr'] or ''}", None, None, words.get(item["state"] or "", ""),
                          late])
    return lines
