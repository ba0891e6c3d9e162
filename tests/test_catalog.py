"""Every template label and every message exists in French and English, with the same placeholders."""

from __future__ import annotations

import string
from typing import Any

import pytest

from sync.layout.build import Team, WorkbookSpec, build_layout
from sync.template import catalog


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every {"fr": …, "en": …} pair in a template, with where it is."""
    found = []
    if isinstance(node, dict):
        if set(node) & set(catalog.LANGS):
            found.append((path, node))
        else:
            for key, value in node.items():
                found += walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += walk(value, f"{path}[{i}]")
    return found


@pytest.mark.parametrize("name", ["template", "demo"])
def test_every_label_of_every_template_exists_in_both_languages(name: str) -> None:
    data = catalog.template() if name == "template" else catalog.demo()
    pairs = walk(data)
    assert pairs
    for path, pair in pairs:
        assert set(pair) == set(catalog.LANGS), path
        # The demo leaves some comments blank on purpose, in both languages alike.
        assert bool(pair["fr"]) == bool(pair["en"]), path
        if name == "template":
            assert pair["fr"] and pair["en"], path


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    messages = catalog.messages()
    assert len(messages) > 60
    for key, pair in messages.items():
        assert set(pair) == set(catalog.LANGS), key
        assert fields(pair["fr"]) == fields(pair["en"]), key
        assert pair["fr"].strip() and pair["en"].strip(), key


def test_column_headers_are_exactly_the_product_designs() -> None:
    okrs = [c.label for c in catalog.columns("okrs", "fr")]
    assert okrs == [
        "ID",
        "Équipe",
        "Type",
        "Intitulé",
        "Responsable",
        "Départ",
        "Cible",
        "Unité",
        "Parent",
        "Poids",
        "Objectif annuel",
        "Actuel",
        "Progression",
        "Attendu",
        "Confiance",
        "Statut",
        "Dernier check-in",
        "Initiatives",
        "Remarques",
        "Clé",
    ]
    assert [c.label for c in catalog.columns("okrs", "en")] == [
        "ID",
        "Team",
        "Type",
        "Title",
        "Owner",
        "Start",
        "Target",
        "Unit",
        "Parent",
        "Weight",
        "Annual goal",
        "Current",
        "Progress",
        "Expected",
        "Confidence",
        "Status",
        "Last check-in",
        "Initiatives",
        "Notes",
        "Key",
    ]
    assert [c.label for c in catalog.columns("checkins", "fr")] == [
        "Semaine",
        "KR",
        "Valeur",
        "Confiance",
        "Commentaire",
        "Progression",
        "Statut",
        "Validation",
        "Clé",
    ]
    assert [c.label for c in catalog.columns("checkins", "en")] == [
        "Week",
        "KR",
        "Value",
        "Confidence",
        "Comment",
        "Progress",
        "Status",
        "Validation",
        "Key",
    ]


def test_history_headers_are_the_product_designs() -> None:
    assert [c.label for c in catalog.columns("history", "fr")] == [
        "Semaine", "KR", "Équipe", "Valeur", "Progression", "Attendu", "Confiance", "Statut", "Départ", "Cible"]
    assert [c.label for c in catalog.columns("history", "en")] == [
        "Week", "KR", "Team", "Value", "Progress", "Expected", "Confidence", "Status", "Start", "Target"]


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_the_layout_names_every_tab_of_the_design(lang: str) -> None:
    layout = build_layout(WorkbookSpec("Acme", lang, "2025-Q1", [Team("Marketing"), Team("Ventes")]))
    names = [t.name for t in layout.tabs]
    expected = {
        "fr": ["Lisez-moi", "Réglages", "Objectifs annuels", "OKR", "Initiatives", "Check-ins Marketing",
               "Check-ins Ventes", "Check-ins Organisation", "Indicateurs", "Relevés KPI", "Org", "Historique"],
        "en": ["Read me", "Settings", "Annual goals", "OKRs", "Initiatives", "Check-ins Marketing",
               "Check-ins Ventes", "Check-ins Organisation", "KPIs", "KPI readings", "Org", "History"],
    }
    assert names[:-1] == expected[lang]
    assert layout.tabs[-1].hidden
    readme = layout.tabs[0].grid
    assert len(readme) == 14  # a title, a sentence and 12 steps


@pytest.mark.parametrize(("text", "label"), [("2025-Q1", "2025-Q1"), ("2025-T1", "2025-Q1"), ("2025 q4", "2025-Q4")])
def test_quarters_are_read_in_either_language(text: str, label: str) -> None:
    spec = WorkbookSpec("Acme", "en", text, [Team("A")])
    assert spec.quarter == label
    assert WorkbookSpec("Acme", "fr", text, [Team("A")]).quarter == label.replace("Q", "T")
