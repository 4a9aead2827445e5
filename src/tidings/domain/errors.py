"""Every failure has a stable machine-readable code and a human message.

The same codes travel over REST (``{"error": {"code", "message"}}`` with an HTTP status) and
over WebSocket (a reply with ``ok: false``). Clients translate by code; the message is for
logs and developers. Codes are documented in docs/protocol.md; never rename one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # Input
    MALFORMED_JSON = "malformed_json"
    INVALID_UTF8 = "invalid_utf8"
    INVALID_INPUT = "invalid_input"
    UNKNOWN_OP = "unknown_op"
    FRAME_TOO_LARGE = "frame_too_large"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    # A request head or body that did not arrive in time (decision 0028).
    REQUEST_TIMEOUT = "request_timeout"
    # Authentication
    UNAUTHENTICATED = "unauthenticated"
    INVALID_TOKEN = "invalid_token"
    INVALID_CREDENTIALS = "invalid_credentials"
    ALREADY_AUTHENTICATED = "already_authenticated"
    ACCOUNT_TAKEN = "account_taken"
    ACCOUNT_DISABLED = "account_disabled"
    RATE_LIMITED = "rate_limited"
    # Passwords and registration
    WEAK_PASSWORD = "weak_password"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"
    REGISTRATION_CLOSED = "registration_closed"
    # Codes, TOTP and the second step of a sign-in
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    DEVICE_CONFIRMATION_REQUIRED = "device_confirmation_required"
    INVALID_CODE = "invalid_code"
    CHALLENGE_EXPIRED = "challenge_expired"
    DESTINATION_TAKEN = "destination_taken"
    CHANNEL_UNAVAILABLE = "channel_unavailable"
    # Sign in with OpenID Connect (decision 0064): not set up on this server; the provider
    # cannot be reached or answered nonsense; it refused (the user cancelled, the code was
    # not accepted); the sign-in's state is unknown, expired, used or from another browser;
    # the ID token's nonce is not this sign-in's; the ID token is not valid (signature,
    # issuer, audience, expiry: ``details.reason``); the claim naming the user is missing
    # or unusable; nobody here has that name and new users are not created.
    OIDC_NOT_CONFIGURED = "oidc_not_configured"
    OIDC_PROVIDER_UNREACHABLE = "oidc_provider_unreachable"
    OIDC_PROVIDER_REFUSED = "oidc_provider_refused"
    OIDC_STATE_INVALID = "oidc_state_invalid"
    OIDC_NONCE_MISMATCH = "oidc_nonce_mismatch"
    OIDC_ID_TOKEN_INVALID = "oidc_id_token_invalid"
    OIDC_CLAIM_MISSING = "oidc_claim_missing"
    OIDC_USER_UNKNOWN = "oidc_user_unknown"
    # Apps (issue 14): an OAuth 2.0 grant's scope that does not exist, a token without the
    # scope an endpoint needs (RFC 6750's names).
    INVALID_SCOPE = "invalid_scope"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    # A webhook URL that is not http(s), or points at this server or a network it may not
    # call (decision 0068).
    WEBHOOK_URL_REFUSED = "webhook_url_refused"
    # Workbench apps (J6): a ticket that is unknown, used, expired or another app's.
    INVALID_TICKET = "invalid_ticket"
    # The app API (decision 0067): an external id another user has; more users than one
    # call takes; a sign-in ticket unknown, expired or spent.
    EXTERNAL_ID_TAKEN = "external_id_taken"
    TOO_MANY_USERS = "too_many_users"
    SSO_TICKET_INVALID = "sso_ticket_invalid"
    # Authorization and existence
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    NOT_MEMBER = "not_member"
    NOT_FRIENDS = "not_friends"
    # Files (tus uploads, downloads, attachments)
    FILE_TOO_LARGE = "file_too_large"
    QUOTA_EXCEEDED = "quota_exceeded"
    TUS_VERSION_UNSUPPORTED = "tus_version_unsupported"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UPLOAD_OFFSET_MISMATCH = "upload_offset_mismatch"
    UPLOAD_LOCKED = "upload_locked"
    UPLOAD_INCOMPLETE = "upload_incomplete"
    UNSUPPORTED_CHECKSUM = "unsupported_checksum"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    NOT_AN_IMAGE = "not_an_image"
    WRONG_FILE_KIND = "wrong_file_kind"
    FILE_EXPIRED = "file_expired"
    FILE_IN_USE = "file_in_use"
    RANGE_NOT_SATISFIABLE = "range_not_satisfiable"
    INVALID_LINK = "invalid_link"
    # Messages
    NOT_YOUR_MESSAGE = "not_your_message"
    RECALL_WINDOW_PASSED = "recall_window_passed"
    NOT_RECALLABLE = "not_recallable"
    GROUP_FULL = "group_full"
    CONFLICT = "conflict"
    # Contacts, organization, group governance
    MUTED = "muted"
    BLOCKED = "blocked"
    PENDING_MODERATION = "pending_moderation"
    MESSAGE_REJECTED = "message_rejected"
    GROUP_DISBANDED = "group_disbanded"
    PRIVATE_CHAT_FORBIDDEN = "private_chat_forbidden"
    CYCLE = "cycle"
    # A department with people or sub-departments cannot be deleted (K3).
    DEPARTMENT_NOT_EMPTY = "department_not_empty"
    # The tree changed after an import's preview: preview again (K3, C3).
    ORG_CHANGED = "org_changed"
    INVALID_INVITE = "invalid_invite"
    BAD_FILE = "bad_file"
    # A contact card naming someone who does not exist or whom the sender may not see.
    UNKNOWN_CONTACT = "unknown_contact"
    # Favourites and chat records (issue 12, h/select)
    FAVORITES_FULL = "favorites_full"
    # Stickers (issue 12, h/compose): a user's own collection is full.
    TOO_MANY_STICKERS = "too_many_stickers"
    # Burn after reading (decision 0038): a burn message cannot be forwarded, quoted or
    # saved; burning is for direct chats only.
    BURN_AFTER_READING = "burn_after_reading"
    BURN_DIRECT_ONLY = "burn_direct_only"
    # Calls (decision 0074)
    CALL_ENDED = "call_ended"
    CALL_ANSWERED_ELSEWHERE = "call_answered_elsewhere"
    IN_ANOTHER_CALL = "in_another_call"
    CALLS_DIRECT_ONLY = "calls_direct_only"
    # Group calls (decision 0078): no SFU configured or reachable; the call has as many
    # people as it may; only a host (the group's owner or admins, the call's starter) mutes.
    GROUP_CALLS_UNAVAILABLE = "group_calls_unavailable"
    CALL_FULL = "call_full"
    # Web Push (issue 12, h/settings): push is off on this server, or the subscription's
    # endpoint is not a push service the server may call (docs/protocol.md "Web Push").
    PUSH_UNAVAILABLE = "push_unavailable"
    PUSH_ENDPOINT_REFUSED = "push_endpoint_refused"
    # Privacy and the password lock (h/me)
    WRONG_LOCK_CODE = "wrong_lock_code"
    LOCK_CODE_REQUIRED = "lock_code_required"
    LOCK_NOT_SET = "lock_not_set"
    NOT_ACCEPTING_FRIENDS = "not_accepting_friends"
    INVALID_AVATAR = "invalid_avatar"
    # Site settings (K4, decision 0057): an administrator turned this module off;
    # ``details.module`` names it.
    FEATURE_DISABLED = "feature_disabled"
    # Broadcasts (decision 0058): the chosen audience reaches nobody.
    EMPTY_AUDIENCE = "empty_audience"
    # Content moderation (K7, decision 0056): the server's word list refused a text (which
    # word is not said); a word list change larger than the list may hold.
    CONTENT_BLOCKED = "content_blocked"
    TOO_MANY_WORDS = "too_many_words"
    # Customer service (J4, decision 0066): a visitor's token reaches only its own chat;
    # only agents serve; another agent took the chat first.
    VISITOR_NOT_ALLOWED = "visitor_not_allowed"
    NOT_AN_AGENT = "not_an_agent"
    SERVICE_CHAT_TAKEN = "service_chat_taken"
    INTERNAL = "internal_error"


# HTTP status for each code; anything missing is 400.
HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.INVALID_TOKEN: 401,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.ACCOUNT_DISABLED: 403,
    ErrorCode.SECOND_FACTOR_REQUIRED: 401,
    ErrorCode.DEVICE_CONFIRMATION_REQUIRED: 401,
    ErrorCode.INVALID_CODE: 401,
    ErrorCode.CHALLENGE_EXPIRED: 401,
    ErrorCode.DESTINATION_TAKEN: 409,
    ErrorCode.CHANNEL_UNAVAILABLE: 503,
    ErrorCode.OIDC_NOT_CONFIGURED: 404,
    ErrorCode.OIDC_PROVIDER_UNREACHABLE: 502,
    ErrorCode.OIDC_PROVIDER_REFUSED: 401,
    ErrorCode.OIDC_STATE_INVALID: 401,
    ErrorCode.OIDC_NONCE_MISMATCH: 401,
    ErrorCode.OIDC_ID_TOKEN_INVALID: 401,
    ErrorCode.OIDC_CLAIM_MISSING: 403,
    ErrorCode.OIDC_USER_UNKNOWN: 403,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.VISITOR_NOT_ALLOWED: 403,
    ErrorCode.NOT_AN_AGENT: 403,
    ErrorCode.SERVICE_CHAT_TAKEN: 409,
    ErrorCode.CONTENT_BLOCKED: 422,
    ErrorCode.TOO_MANY_WORDS: 413,
    # Privacy and the password lock (h/me)
    ErrorCode.WRONG_LOCK_CODE: 403,
    ErrorCode.LOCK_CODE_REQUIRED: 403,
    ErrorCode.LOCK_NOT_SET: 409,
    ErrorCode.NOT_ACCEPTING_FRIENDS: 403,
    ErrorCode.INVALID_AVATAR: 422,
    ErrorCode.FEATURE_DISABLED: 403,
    ErrorCode.NOT_MEMBER: 403,
    ErrorCode.NOT_FRIENDS: 403,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.QUOTA_EXCEEDED: 413,
    ErrorCode.TUS_VERSION_UNSUPPORTED: 412,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.UPLOAD_OFFSET_MISMATCH: 409,
    ErrorCode.UPLOAD_LOCKED: 423,
    ErrorCode.UPLOAD_INCOMPLETE: 409,
    ErrorCode.UNSUPPORTED_CHECKSUM: 400,
    # tus checksum extension: "460 Checksum Mismatch".
    ErrorCode.CHECKSUM_MISMATCH: 460,
    ErrorCode.NOT_AN_IMAGE: 422,
    ErrorCode.WRONG_FILE_KIND: 422,
    ErrorCode.FILE_EXPIRED: 410,
    ErrorCode.FILE_IN_USE: 409,
    ErrorCode.RANGE_NOT_SATISFIABLE: 416,
    ErrorCode.INVALID_LINK: 403,
    ErrorCode.NOT_YOUR_MESSAGE: 403,
    ErrorCode.RECALL_WINDOW_PASSED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PUSH_UNAVAILABLE: 503,
    ErrorCode.ACCOUNT_TAKEN: 409,
    ErrorCode.CONFLICT: 409,
    ErrorCode.NOT_RECALLABLE: 409,
    ErrorCode.GROUP_FULL: 409,
    ErrorCode.MUTED: 403,
    ErrorCode.BLOCKED: 403,
    ErrorCode.PRIVATE_CHAT_FORBIDDEN: 403,
    # Accepted but not sent: the message waits for a moderator.
    ErrorCode.PENDING_MODERATION: 409,
    ErrorCode.MESSAGE_REJECTED: 409,
    ErrorCode.GROUP_DISBANDED: 409,
    ErrorCode.CYCLE: 409,
    ErrorCode.DEPARTMENT_NOT_EMPTY: 409,
    ErrorCode.ORG_CHANGED: 409,
    ErrorCode.INVALID_INVITE: 404,
    ErrorCode.BAD_FILE: 422,
    ErrorCode.UNKNOWN_CONTACT: 422,
    ErrorCode.FAVORITES_FULL: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    # Burn after reading
    ErrorCode.BURN_AFTER_READING: 403,
    ErrorCode.BURN_DIRECT_ONLY: 403,
    ErrorCode.CALL_ENDED: 409,
    ErrorCode.CALL_ANSWERED_ELSEWHERE: 409,
    ErrorCode.IN_ANOTHER_CALL: 409,
    ErrorCode.CALLS_DIRECT_ONLY: 403,
    ErrorCode.GROUP_CALLS_UNAVAILABLE: 503,
    ErrorCode.CALL_FULL: 409,
    ErrorCode.REQUEST_TIMEOUT: 408,
    ErrorCode.FRAME_TOO_LARGE: 413,
    ErrorCode.UNKNOWN_OP: 404,
    ErrorCode.INVALID_INPUT: 422,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.WEAK_PASSWORD: 422,
    ErrorCode.PASSWORD_CHANGE_REQUIRED: 403,
    ErrorCode.REGISTRATION_CLOSED: 403,
    # Stickers (issue 12, h/compose)
    ErrorCode.TOO_MANY_STICKERS: 409,
    ErrorCode.EMPTY_AUDIENCE: 422,
    ErrorCode.INVALID_SCOPE: 400,
    ErrorCode.INSUFFICIENT_SCOPE: 403,
    ErrorCode.WEBHOOK_URL_REFUSED: 422,
    ErrorCode.EXTERNAL_ID_TAKEN: 409,
    ErrorCode.TOO_MANY_USERS: 422,
    ErrorCode.SSO_TICKET_INVALID: 401,
    ErrorCode.INTERNAL: 500,
}


class TidingsError(Exception):
    """A failure the client is told about, by code."""

    def __init__(
        self, code: ErrorCode, message: str, details: Any = None, *, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        # Where one code answers with another status in one place (docs/protocol.md says).
        self._status = status

    @property
    def http_status(self) -> int:
        return self._status or HTTP_STATUS.get(self.code, 400)

    def to_wire(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return error


def not_member() -> TidingsError:
    # One answer whether the conversation exists or not: ids are not probed through errors.
    return TidingsError(ErrorCode.NOT_MEMBER, "you are not a member of this conversation")
