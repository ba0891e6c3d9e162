"""Drive v3, only as far as spreadsheets need it: create/copy/get/list/delete files, and sharing."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from . import fieldmask
from .errors import GoogleError, drive_not_found
from .state import Spreadsheet

if TYPE_CHECKING:
    from .sheets import FakeGoogle

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")
TYPES = ("user", "group", "domain", "anyone")
_DEFAULT_PERMISSION_FIELDS = ("kind", "id", "type", "role")


def _drive_400(message: str, reason: str = "invalid") -> GoogleError:
    return _drive_error(400, message, reason)


def _drive_error(code: int, message: str, reason: str) -> GoogleError:
    return GoogleError(
        code,
        message,
        body={
            "error": {
                "code": code,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": reason}],
            }
        },
    )


def file_json(book: Spreadsheet) -> dict[str, Any]:
    """Every File field the fake knows; `fields` picks from these."""
    return {
        "kind": "drive#file",
        "id": book.spreadsheet_id,
        "name": book.properties.get("title", ""),
        "mimeType": SPREADSHEET_MIME,
        "createdTime": book.created_time,
        "modifiedTime": book.modified_time,
        "permissionIds": [p["id"] for p in book.permissions],
    }


def _masked(full: dict[str, Any], params: dict[str, list[str]], default: tuple[str, ...]) -> dict[str, Any]:
    fields = params.get("fields", [None])[0]
    if fields is None:
        return {k: v for k, v in full.items() if k in default}
    return dict(fieldmask.select(full, fieldmask.parse(fields)))


def create(fake: FakeGoogle, params: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
    """files.create for a Google Sheets file, as gspread's Client.create sends it."""
    if body.get("mimeType") != SPREADSHEET_MIME:
        raise _drive_400(f"The fake only creates spreadsheets, not {body.get('mimeType')!r}.")
    book_id = fake.new_spreadsheet(
        body.get("name") or "Untitled spreadsheet",
        locale=fake.default_locale,
        time_zone=fake.default_time_zone,
    )
    return _masked(file_json(fake.book(book_id)), params, ("kind", "id", "name", "mimeType"))


def copy_file(
    fake: FakeGoogle,
    book: Spreadsheet,
    params: dict[str, list[str]],
    body: dict[str, Any],
) -> dict[str, Any]:
    """files.copy: a deep copy of the spreadsheet (developer metadata included), owned by the caller."""
    new_id = fake.new_file_id()
    twin = copy.deepcopy(book)
    twin.spreadsheet_id = new_id
    twin.properties["title"] = body.get("name") or f"Copy of {book.properties.get('title', '')}"
    twin.permissions = [fake.owner_permission()]
    twin.private = False
    fake.books[new_id] = twin
    return _masked(file_json(twin), params, ("kind", "id", "name", "mimeType"))


def get(book: Spreadsheet, params: dict[str, list[str]]) -> dict[str, Any]:
    """files.get (metadata only)."""
    return _masked(file_json(book), params, ("kind", "id", "name", "mimeType"))


def list_files(fake: FakeGoogle, params: dict[str, list[str]]) -> dict[str, Any]:
    """files.list: spreadsheets the caller can see; honours `name = "..."` in q."""
    query = params.get("q", [""])[0]
    name = re.search(r"name\s*=\s*['\"](.*?)['\"]", query)
    files = [
        file_json(b)
        for b in fake.books.values()
        if not b.private and (name is None or b.properties.get("title") == name.group(1))
    ]
    full = {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
    fields = params.get("fields", [None])[0]
    if fields is None:
        full["files"] = [{k: f[k] for k in ("kind", "id", "name", "mimeType")} for f in files]
        return full
    return dict(fieldmask.select(full, fieldmask.parse(fields)))


def create_permission(
    fake: FakeGoogle,
    book: Spreadsheet,
    params: dict[str, list[str]],
    body: dict[str, Any],
) -> dict[str, Any]:
    """permissions.create: record the share (the reply has only kind/id/type/role unless `fields` asks)."""
    if body.get("role") not in ROLES:
        raise _drive_400("The provided value for the role is invalid.", "invalidSharingRole")
    if body.get("type") not in TYPES:
        raise _drive_400("The provided value for the permission type is invalid.", "invalidSharingType")
    if body.get("type") in ("user", "group") and not body.get("emailAddress"):
        raise _drive_400("The permission's emailAddress field is required.", "required")
    email = body.get("emailAddress")
    for existing in book.permissions:
        if email and existing.get("emailAddress") == email and existing["type"] == body["type"]:
            if body["role"] == existing["role"]:
                return _masked(existing, params, _DEFAULT_PERMISSION_FIELDS)
            if "owner" in (body["role"], existing["role"]):
                break
            existing["role"] = body["role"]
            return _masked(existing, params, _DEFAULT_PERMISSION_FIELDS)
    if body["role"] == "owner" and params.get("transferOwnership", ["false"])[0].lower() != "true":
        message = "The transferOwnership parameter must be enabled when the permission role is 'owner'."
        raise _drive_error(403, message, "forbidden")
    permission = {
        "kind": "drive#permission",
        "id": fake.new_permission_id(),
        "type": body["type"],
        "role": body["role"],
    }
    for key in ("emailAddress", "domain", "allowFileDiscovery"):
        if key in body:
            permission[key] = body[key]
    if "emailAddress" in body:
        permission["displayName"] = str(body["emailAddress"]).split("@")[0]
    permission["deleted"] = False
    permission["pendingOwner"] = False
    book.permissions.append(permission)
    return _masked(permission, params, _DEFAULT_PERMISSION_FIELDS)


def list_permissions(book: Spreadsheet, params: dict[str, list[str]]) -> dict[str, Any]:
    """permissions.list: without `fields`, items carry only kind/id/type/role (no emailAddress), as Drive."""
    full = {"kind": "drive#permissionList", "permissions": copy.deepcopy(book.permissions)}
    fields = params.get("fields", [None])[0]
    if fields is None:
        full["permissions"] = [
            {k: p[k] for k in _DEFAULT_PERMISSION_FIELDS if k in p} for p in book.permissions
        ]
        return full
    return dict(fieldmask.select(full, fieldmask.parse(fields)))


def delete_permission(book: Spreadsheet, permission_id: str) -> None:
    """permissions.delete."""
    for permission in book.permissions:
        if permission["id"] == permission_id:
            if permission["role"] == "owner":
                raise _drive_400("The owner of a file cannot be removed.", "cannotRemoveOwner")
            book.permissions.remove(permission)
            return
    raise GoogleError(
        404,
        f"Permission not found: {permission_id}.",
        body={
            "error": {
                "code": 404,
                "message": f"Permission not found: {permission_id}.",
                "errors": [
                    {
                        "message": f"Permission not found: {permission_id}.",
                        "domain": "global",
                        "reason": "notFound",
                        "location": "permissionId",
                        "locationType": "parameter",
                    }
                ],
            }
        },
    )


def find(fake: FakeGoogle, file_id: str) -> Spreadsheet:
    """The file, or Drive's 404 (Drive answers 404, not 403, for a file the caller cannot see)."""
    book = fake.books.get(file_id)
    if book is None or book.private:
        raise drive_not_found(file_id)
    return book
