"""Google's error bodies as recorded (/work/shared/data/sheets-api/), raised in the fake as GoogleError."""

from __future__ import annotations

from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES = {
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: (
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
        "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'."
    ),
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The service is currently unavailable.",
}


class GoogleError(Exception):
    """An HTTP error the fake answers with Google's JSON error body."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        field: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, "Error")
        self.field = field
        self._body = body
        super().__init__(f"{code} {self.message}")

    def body(self) -> dict[str, Any]:
        """The JSON body Google sends for this error."""
        if self._body is not None:
            return self._body
        return sheets_error_body(self.code, self.message, self.field)


def sheets_error_body(code: int, message: str | None = None, field: str | None = None) -> dict[str, Any]:
    """`{"error": {"code", "message", "status"[, "details"]}}` as the Sheets API sends it."""
    error: dict[str, Any] = {
        "code": code,
        "message": message or DEFAULT_MESSAGES.get(code, "Error"),
        "status": STATUS_NAMES.get(code, "UNKNOWN"),
    }
    if field is not None:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": error["message"]}],
            }
        ]
    elif code == 429:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "service": "sheets.googleapis.com",
                    "quota_limit": "ReadRequestsPerMinutePerUser",
                },
            }
        ]
    return {"error": error}


def invalid_argument(message: str, field: str | None = None) -> GoogleError:
    """A 400 INVALID_ARGUMENT error."""
    return GoogleError(400, message, field=field)


def drive_not_found(file_id: str) -> GoogleError:
    """Drive v3's 404 body, which has the older `errors` list and no `status`."""
    message = f"File not found: {file_id}."
    return GoogleError(
        404,
        message,
        body={
            "error": {
                "code": 404,
                "message": message,
                "errors": [
                    {
                        "message": message,
                        "domain": "global",
                        "reason": "notFound",
                        "location": "fileId",
                        "locationType": "parameter",
                    }
                ],
            }
        },
    )


def drive_forbidden() -> GoogleError:
    """Drive v3's 403 body for a file the caller cannot write."""
    message = "The user does not have sufficient permissions for this file."
    return GoogleError(
        403,
        message,
        body={
            "error": {
                "code": 403,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": "insufficientFilePermissions"}],
            }
        },
    )
