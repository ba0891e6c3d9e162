"""The add-on's copy of the catalogue (addon/Catalog.js) is generated from sheet_templates/ and kept current."""

from __future__ import annotations

import json
import re

from sync.template import addon_catalog, catalog


def test_catalog_js_is_what_the_generator_writes() -> None:
    on_disk = addon_catalog.TARGET.read_text(encoding="utf-8")
    assert on_disk == addon_catalog.render(), "addon/Catalog.js is stale: run `python -m sync.template.addon_catalog`"


def test_catalog_js_carries_every_addon_message_in_both_languages() -> None:
    text = addon_catalog.TARGET.read_text(encoding="utf-8")
    data = json.loads(re.search(r"const CATALOG_ = (\{.*\});", text, re.S).group(1))  # type: ignore[union-attr]
    wanted = {k for k in catalog.messages() if k.startswith("addon.")}
    assert set(data["messages"]) == wanted and wanted
    for key, entry in data["messages"].items():
        assert set(entry) == set(catalog.LANGS), key


def test_catalog_js_names_the_tabs_a_sync_reads_in_both_languages() -> None:
    data = addon_catalog.catalogue()
    for key in addon_catalog.SYNCED_TABS:
        assert data["tabs"][key] == {lang: catalog.tab_name(key, lang) for lang in catalog.LANGS}
    assert data["checkin_prefix"]["fr"] == catalog.checkin_tab_name("", "fr")
