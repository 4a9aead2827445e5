"""One settings object for the whole server.

Values come from, in rising priority: the defaults below, an optional TOML file named by
``TIDINGS_CONFIG``, and ``TIDINGS_*`` environment variables. The defaults serve one machine
with nothing else installed: SQLite and files under ``data_dir``.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class SessionPolicy(StrEnum):
    """What a new sign-in does to the user's older sessions."""

    ONE_PER_PLATFORM = "one_per_platform"
    ALLOW_ALL = "allow_all"


class Registration(StrEnum):
    """Who may create an account over ``POST /auth/register``."""

    OPEN = "open"  # anyone who reaches the server
    INVITE_ONLY = "invite_only"  # with a code from a server admin
    CLOSED = "closed"  # admins create accounts (CLI, import)


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
    auth_timeout_seconds: float = 10.0
    # Sign-in attempts allowed per account and per address within the window.
    login_attempts: int = 10
    login_window_seconds: int = 300

    # Passwords and registration (docs/decisions/0027). A company server is not open to
    # whoever finds it: accounts come from an admin's invite codes, imports or the CLI.
    registration: Registration = Registration.INVITE_ONLY
    # NIST SP 800-63B asks for at least 8 characters; the strength check does the rest.
    password_min_length: int = Field(default=8, ge=1, le=256)
    # zxcvbn's score 0-4; 2 ("somewhat guessable", ~10^8 guesses) refuses the common and
    # breached passwords in its lists and their simple variations.
    password_min_score: int = Field(default=2, ge=0, le=4)

    # Group commit: a batch is written as soon as the writer is free; it never waits to fill.
    write_batch_max: int = 512
    # argon2id cost; the defaults are RFC 9106's second recommended option.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4

    static_dir: Path | None = None
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    log_level: str = "info"
    demo: bool = False

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
