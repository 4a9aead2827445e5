"""One settings object for the whole server.

Values come from, in rising priority: the defaults below, an optional TOML file named by
``TIDINGS_CONFIG``, and ``TIDINGS_*`` environment variables. The defaults serve one machine
with nothing else installed: SQLite and files under ``data_dir``.
"""

from __future__ import annotations

import os
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# A list setting is given in the environment as comma-separated values (or a TOML array).
CommaList = Annotated[list[str], NoDecode]


class SessionPolicy(StrEnum):
    """What a new sign-in does to the user's older sessions."""

    ONE_PER_PLATFORM = "one_per_platform"
    ALLOW_ALL = "allow_all"


class SqliteSynchronous(StrEnum):
    FULL = "FULL"
    NORMAL = "NORMAL"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIDINGS_", extra="forbid")

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("./data")
    # Empty means SQLite at <data_dir>/tidings.db.
    database_url: str = ""
    # FULL: an acknowledged message survives power loss, not only a crashed process. Group
    # commit makes the fsync affordable (one per batch, not one per message).
    sqlite_synchronous: SqliteSynchronous = SqliteSynchronous.FULL
    # Empty means one node: the in-process bus and presence. Set it (redis://host:6379/0) to
    # run several nodes; Redis then carries pushes between them and holds presence.
    redis_url: str = ""
    # Across nodes, a push to a conversation of more members than this names the conversation
    # instead of listing them; each node takes the members from its own roster cache.
    cluster_push_list_max: int = Field(default=256, ge=0)
    # Scaled out: a node that stops refreshing its presence for this long is taken for dead
    # and its users are shown offline (after at most a third of it more).
    presence_ttl_seconds: int = Field(default=15, ge=3)
    # This node's name on the bus and in presence; random per process unless set.
    node_id: str = Field(default="", pattern=r"^[A-Za-z0-9._-]{0,64}$")

    session_policy: SessionPolicy = SessionPolicy.ONE_PER_PLATFORM
    session_ttl_seconds: int = 30 * 24 * 3600
    # A session's "last seen" time is refreshed at most this often (it is shown, not enforced).
    session_touch_seconds: int = Field(default=60, ge=0)
    device_credential_ttl_seconds: int = 180 * 24 * 3600
    # Enterprise default: anyone may open a direct chat with anyone.
    direct_chat_requires_friendship: bool = False
    recall_window_seconds: int = 120
    group_size_limit: int = 10_000
    # How stale the people search index may get for renames and the like (new accounts are
    # found at once).
    directory_reload_seconds: float = 30.0
    # The shortest group mute (PRODUCT.md E4: one minute to forever).
    min_mute_seconds: int = 60

    # Files (docs/protocol.md "Files"). Tus-Max-Size, and so the largest file: 20 GiB.
    max_file_bytes: int = 20 * 1024**3
    # Bytes a user's uploads may occupy; 0 means unlimited.
    user_quota_bytes: int = 0
    # An upload with no new bytes for this long is abandoned: its Upload-Expires passes and
    # the cleanup job removes it.
    upload_abandon_after_seconds: int = 24 * 3600
    file_cleanup_interval_seconds: float = 600.0
    # A long PATCH makes its progress durable this often, so a crash loses at most this much.
    upload_checkpoint_bytes: int = 256 * 1024 * 1024
    # A PATCH body that stalls this long (a client gone without closing) ends; what arrived is
    # kept and the upload is free for the client's retry.
    upload_idle_seconds: float = 60.0
    # Signed download links (for <img> and <video>, which cannot send a bearer token).
    file_link_ttl_seconds: int = 600
    image_thumbnail_pixels: int = 400
    # Images over these limits are kept as plain files: no thumbnail, no decoding cost.
    image_max_pixels: int = 50_000_000
    image_max_bytes: int = 64 * 1024 * 1024
    # Others download a copy without the EXIF location; the uploader keeps the original.
    strip_image_location: bool = True

    max_frame_bytes: int = 64 * 1024
    max_text_chars: int = 10_000
    max_forward_targets: int = 20
    history_page_limit: int = 500
    sync_page_limit: int = 1000
    # A client that sends nothing for this long is considered gone. Clients ping every 25 s;
    # three missed pings close the connection.
    heartbeat_timeout_seconds: float = 75.0
    # A new WebSocket must authenticate this long after its handshake, whatever it sends
    # meanwhile (pings and garbage do not extend it).
    auth_timeout_seconds: float = Field(default=10.0, gt=0)
    # Sign-in attempts allowed per account and per address within the window.
    login_attempts: int = 10
    login_window_seconds: int = 300

    # Group commit: a batch is written as soon as the writer is free; it never waits to fill.
    write_batch_max: int = 512
    # argon2id cost; the defaults are RFC 9106's second recommended option.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4

    # Network deadlines (docs/decisions/0028): slow or silent clients must not hold
    # connections. A request head, which includes a WebSocket handshake, must be complete
    # this long after the connection opens or the head's first byte arrives.
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    # A request body must be in full this long after its head. Uploads are exempt (they may
    # take hours): they end after upload_idle_seconds without a byte instead.
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    # /metrics answers these networks (the client address, or X-Forwarded-For from a trusted
    # proxy) and requests with the bearer token below; others get 403.
    metrics_allowed_networks: CommaList = ["127.0.0.0/8", "::1/128"]
    metrics_token: str = ""
    # Browser pages of these origins (https://app.example.com) may open the WebSocket besides
    # the server's own (an Origin matching the Host header). Clients sending no Origin
    # (SDKs, the CLI) are not browsers and always may.
    ws_allowed_origins: CommaList = []

    static_dir: Path | None = None
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    # Strict-Transport-Security on answers over HTTPS; 0 sends none.
    hsts_max_age_seconds: int = Field(default=365 * 24 * 3600, ge=0)
    log_level: str = "info"
    demo: bool = False

    @field_validator("metrics_allowed_networks", "ws_allowed_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("metrics_allowed_networks")
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ip_network(network, strict=False)  # a ValueError names the bad one
        return value

    @field_validator("ws_allowed_origins")
    @classmethod
    def _normalise_origins(cls, value: list[str]) -> list[str]:
        return [origin.rstrip("/").lower() for origin in value]

    @property
    def metrics_networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(network, strict=False) for network in self.metrics_allowed_networks]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = os.environ.get("TIDINGS_CONFIG")
        if toml_path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL, with the async driver filled in."""
        url = self.database_url
        if not url:
            return f"sqlite+aiosqlite:///{(self.data_dir / 'tidings.db').resolve()}"
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+asyncpg://" + url[len(plain) :]
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url[len("sqlite://") :]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")
