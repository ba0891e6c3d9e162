"""Who may act on a workbook: its editors, as Drive's sharing says (people, domains, anyone with the link)."""

from __future__ import annotations

from typing import Any

from ..backends.google_api import GoogleGateway

#: Drive roles that can edit a file; commenters and readers see the sheet but do not run its syncs.
EDITOR_ROLES = frozenset({"owner", "organizer", "fileOrganizer", "writer"})
_FIELDS = "nextPageToken,permissions(type,role,emailAddress,domain)"


def permissions(gateway: GoogleGateway, spreadsheet_id: str) -> list[dict[str, Any]]:
    """Every permission of the file, through the gateway (its retries and error messages), all pages."""
    return gateway.permissions(spreadsheet_id, fields=_FIELDS)


def is_editor(perms: list[dict[str, Any]], email: str, domain: str | None) -> bool:
    """Whether a person may edit: shared with them, with their whole domain, or with anyone, as an editor."""
    email = email.lower()
    for p in perms:
        if p.get("role") not in EDITOR_ROLES:
            continue
        kind = p.get("type")
        if kind == "user" and str(p.get("emailAddress", "")).lower() == email:
            return True
        if kind == "domain" and domain and str(p.get("domain", "")).lower() == domain.lower():
            return True
        if kind == "anyone":
            return True
    return False
