"""Prometheus metrics (PRODUCT.md N3), served at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CONNECTIONS = Gauge("tidings_connections", "Open authenticated WebSocket connections")
MESSAGES_SENT = Counter("tidings_messages_sent_total", "Messages appended to conversation logs")
MESSAGES_PUSHED = Counter(
    "tidings_messages_pushed_total", "Entries pushed to connected devices (best effort)"
)
MESSAGES_DELIVERED = Counter(
    "tidings_messages_delivered_total", "Delivery acknowledgements received from devices"
)
SEND_LATENCY = Histogram(
    "tidings_send_latency_seconds",
    "From a send request's arrival to its durable acknowledgement",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
WRITE_BATCH_SIZE = Histogram(
    "tidings_write_batch_entries",
    "Entries per group-commit batch",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
TRANSACTION_SECONDS = Histogram(
    "tidings_transaction_seconds",
    "Duration of named database transactions",
    ["name"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0),
)
# Scaled out (Redis bus): what crossed nodes, what could not, and when a node may have missed
# some (BusGap: caches emptied).
BUS_PUBLISHED = Counter("tidings_bus_published_total", "Bus messages sent to Redis")
BUS_RECEIVED = Counter("tidings_bus_received_total", "Bus messages from other nodes")
BUS_DROPPED = Counter(
    "tidings_bus_dropped_total", "Bus messages not published because Redis was unavailable"
)
BUS_GAPS = Counter("tidings_bus_gaps_total", "Times this node may have missed bus messages")

# Web Push (issue 12): delivered, gone (the subscription was dropped), failed, dropped (the
# queue was full).
WEB_PUSHES = Counter("tidings_web_pushes_total", "Web Pushes by outcome", ["outcome"])
# Webhook delivery attempts (decision 0068), by outcome: succeeded or failed.
WEBHOOK_ATTEMPTS = Counter(
    "tidings_webhook_attempts_total", "Webhook delivery attempts", ["outcome"]
)

# Message search (decision 0072): how long after it was written an entry was indexed (the
# indexer's lag), and how long a search took on the server.
SEARCH_INDEX_LAG = Histogram(
    "tidings_search_index_lag_seconds",
    "From an entry's creation to its commit in the search index",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0),
)
SEARCH_SECONDS = Histogram(
    "tidings_search_seconds",
    "Duration of a message search on the server",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0),
)
