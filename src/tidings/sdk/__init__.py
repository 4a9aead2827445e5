"""The Python SDK: an async client for Tidings (PRODUCT.md J5).

    async with TidingsClient("http://127.0.0.1:8080", token=token) as client:
        entry = await client.send(conversation_id, "text", {"text": "hello"})
        async for event in client.events():
            ...

It connects, authenticates, reconnects with backoff, syncs, retries sends under the same
client_msg_id and keeps a folded copy of the user's conversations in ``client.state``.
"""

from tidings.sdk.app import TidingsApp
from tidings.sdk.client import TidingsClient
from tidings.sdk.errors import ConnectionLost, ServerError
from tidings.sdk.events import (
    Connected,
    Disconnected,
    EntryReceived,
    Event,
    PresenceChanged,
    PrivateReceived,
    ReceiptChanged,
    SignedOut,
    SiteSettingsChanged,
    Typing,
)
from tidings.sdk.files import TidingsFiles
from tidings.sdk.http import TidingsHttp
from tidings.sdk.sign_in import DeviceTokens, sign_in
from tidings.sdk.state import ClientState, ConversationState
from tidings.sdk.webhooks import WebhookInvalid, verify_webhook

__all__ = [
    "ClientState",
    "Connected",
    "ConnectionLost",
    "ConversationState",
    "DeviceTokens",
    "Disconnected",
    "EntryReceived",
    "Event",
    "PresenceChanged",
    "PrivateReceived",
    "ReceiptChanged",
    "ServerError",
    "SignedOut",
    "SiteSettingsChanged",
    "TidingsApp",
    "TidingsClient",
    "TidingsFiles",
    "TidingsHttp",
    "Typing",
    "WebhookInvalid",
    "sign_in",
    "verify_webhook",
]
