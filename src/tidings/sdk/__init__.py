"""The Python SDK: an async client for Tidings (PRODUCT.md J5).

    async with TidingsClient("http://127.0.0.1:8080", token=token) as client:
        entry = await client.send(conversation_id, "text", {"text": "hello"})
        async for event in client.events():
            ...

It connects, authenticates, reconnects with backoff, syncs, retries sends under the same
client_msg_id and keeps a folded copy of the user's conversations in ``client.state``.
A long-lived client (the desktop app) keeps that copy in a ``LocalCache`` between runs and
queues what the user sends in an ``Outbox`` that survives being offline and restarts.
"""

from tidings.sdk.app import TidingsApp
from tidings.sdk.cache import LocalCache
from tidings.sdk.client import TidingsClient
from tidings.sdk.errors import ConnectionLost, ServerError
from tidings.sdk.events import (
    CallPushed,
    Connected,
    Disconnected,
    EntryReceived,
    Event,
    HistoryFilled,
    PresenceChanged,
    PrivateReceived,
    ReceiptChanged,
    SignedOut,
    SiteSettingsChanged,
    Typing,
)
from tidings.sdk.files import TidingsFiles
from tidings.sdk.http import TidingsHttp
from tidings.sdk.outbox import Outbox, OutgoingMessage
from tidings.sdk.search import highlighted
from tidings.sdk.sign_in import DeviceTokens, sign_in
from tidings.sdk.state import ClientState, ConversationState
from tidings.sdk.webhooks import WebhookInvalid, verify_webhook

__all__ = [
    "CallPushed",
    "ClientState",
    "Connected",
    "ConnectionLost",
    "ConversationState",
    "DeviceTokens",
    "Disconnected",
    "EntryReceived",
    "Event",
    "HistoryFilled",
    "LocalCache",
    "Outbox",
    "OutgoingMessage",
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
    "highlighted",
    "sign_in",
    "verify_webhook",
]
