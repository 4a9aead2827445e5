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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tidings.domain.origins import normalise_origins
from tidings.domain.rates import parse_rate


def _check_rate(text: str) -> str:
    parse_rate(text)  # a ValueError names the variable and stops the server (cli.py)
    return text


# "<count>/<period>" such as "10/5m", or "off" (tidings.domain.rates).
RateSetting = Annotated[str, AfterValidator(_check_rate)]


def _check_smtp_url(url: str) -> str:
    # A typo here would otherwise surface only when the first code fails to go out.
    parts = urlsplit(url)
    if url and (parts.scheme not in ("smtp", "smtps") or not parts.hostname):
        raise ValueError("expected smtp://[user:pass@]host[:port][?starttls=true] or smtps://…")
    parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    return url


def _check_tile_url(url: str) -> str:
    # A map tile template as Leaflet takes it: https://tile.example.com/{z}/{x}/{y}.png (with
    # an optional {s} subdomain), or a path on this server (/tiles/{z}/{x}/{y}.png).
    if not url:
        return url
    parts = urlsplit(url.replace("{s}", "a"))
    if not (url.startswith("/") or (parts.scheme in ("http", "https") and parts.hostname)):
        raise ValueError("expected an http(s) URL or a path starting with /")
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ValueError("the tile URL must contain {z}, {x} and {y}")
    return url


def _check_oidc_issuer(url: str) -> str:
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ValueError("expected the provider's https:// issuer URL")
    # Kept as given: it must equal the discovery document's issuer to the character.
    return url


# A list setting is given in the environment as comma-separated values (or a TOML array).
CommaList = Annotated[list[str], NoDecode]


class SessionPolicy(StrEnum):
    """What a new sign-in does to the user's older sessions."""

    ONE_PER_PLATFORM = "one_per_platform"
    ALLOW_ALL = "allow_all"


class Registration(StrEnum):
    """Who may create an account over ``POST /auth/register``."""

    OPEN = "open"  # anyone who reaches the server
    INVITE_ONLY = "invite_only"  # with a code from a server admin
    CLOSED = "closed"  # admins create accounts (CLI, import)


class SmsProvider(StrEnum):
    """Who delivers SMS codes. ``log`` is for development: codes go to the log and to
    ``<data_dir>/dev-sms.log``; ``none`` turns the SMS channel off."""

    LOG = "log"
    NONE = "none"


class LogFormat(StrEnum):
    """How log lines are written (tidings.logs): for people, or one JSON object a line."""

    TEXT = "text"
    JSON = "json"


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
    # PostgreSQL connections a node keeps open; as many again are opened for bursts. Mind the
    # server's max_connections across all nodes.
    database_pool_size: int = Field(default=10, ge=1, le=500)
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
    # Burn after reading (decision 0038): once the recipient opens a burn message, text is
    # wiped after burn_text_seconds (longer texts get a second per 15 characters, up to a
    # minute), images and files after burn_media_seconds, voice and video after their
    # length plus burn_media_seconds. The sweep wipes what is due, also after a restart.
    burn_text_seconds: int = 10
    burn_media_seconds: int = 15
    burn_sweep_seconds: float = 1.0
    # One-to-one calls (G1, G2, decision 0074). A call nobody answers ends as missed after
    # call_ring_seconds (45 s: about what a phone rings before voicemail); media reported
    # lost ends the call for both after call_lost_seconds unless it comes back (the clients
    # try an ICE restart meanwhile). Every node sweeps both deadlines every
    # call_sweep_seconds.
    call_ring_seconds: float = Field(default=45.0, gt=0)
    call_lost_seconds: float = Field(default=15.0, gt=0)
    call_sweep_seconds: float = Field(default=1.0, gt=0)
    # What one call.signal may carry (an SDP offer of audio, video and screen sharing with
    # every codec Chromium offers is ~10 KB; ICE candidates are ~200 bytes).
    call_signal_max_bytes: int = Field(default=32 * 1024, ge=1024)
    # STUN and TURN servers handed to clients (comma-separated URLs, e.g.
    # "stun:turn.example.com:3478" and "turn:turn.example.com:3478?transport=udp"). Empty:
    # none, which is all a call on one machine or one LAN needs. TURN credentials are made
    # from call_turn_secret (coturn's static-auth-secret with use-auth-secret) and live
    # call_turn_ttl_seconds.
    call_stun_urls: str = ""
    call_turn_urls: str = ""
    call_turn_secret: str = ""
    call_turn_ttl_seconds: int = Field(default=6 * 3600, ge=60, le=7 * 86_400)
    # Group calls (G3, decision 0078) go through a Janus SFU (its VideoRoom plugin), which
    # every node reaches over Janus's WebSocket API at janus_url (e.g. "ws://127.0.0.1:8188")
    # with janus_api_secret. Empty: no group calls (call.start in a group answers
    # group_calls_unavailable). Janus forgets a session after 60 s without a request: each
    # node keeps its participants' sessions with a keep-alive every janus_keepalive_seconds.
    # A group call holds up to call_group_max_video people (video), call_group_max_voice
    # (voice only).
    janus_url: str = ""
    janus_api_secret: str = ""
    janus_keepalive_seconds: float = Field(default=25.0, gt=0, lt=60)
    janus_timeout_seconds: float = Field(default=10.0, gt=0)
    # The active speaker: Janus reports a participant talking when their audio's average
    # level over call_talking_packets packets (20 ms each) is louder than
    # -call_talking_level dBov (0 is loudest, 127 silence).
    call_talking_level: int = Field(default=45, ge=1, le=127)
    call_talking_packets: int = Field(default=25, ge=5, le=500)
    call_group_max_video: int = Field(default=16, ge=2, le=16)
    call_group_max_voice: int = Field(default=50, ge=2, le=50)
    group_size_limit: int = 10_000
    # Broadcasts (decision 0058): recipients written per transaction (each batch holds the
    # SQLite writer this long: ~20 ms per 500), how often scheduled ones are looked for,
    # and how long a node's claim on a fan-out holds without renewal (a crashed node's
    # broadcast is taken over by another, or by itself restarted, after this).
    broadcast_batch: int = 500
    broadcast_poll_seconds: float = 1.0
    broadcast_lease_seconds: float = 30.0
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
    # Decoding costs width x height for every frame: a 2 KB GIF of a huge canvas and many
    # 1-pixel frames took 25 s and 600 MB. Over this (read from the headers, before
    # decoding) an image is kept as a plain file. 100 M: a 50 MP photo twice over, or 300
    # frames of 570 x 570.
    image_max_decode_pixels: int = Field(default=100_000_000, ge=1)
    # Image decoding and location stripping run in a pool of this many threads of their own
    # (more uploads queue), so media work never takes the threads of file I/O or sign-in.
    image_workers: int = Field(default=1, ge=1)
    # Others download a copy without the EXIF location; the uploader keeps the original.
    strip_image_location: bool = True

    max_frame_bytes: int = 64 * 1024
    max_text_chars: int = 10_000
    max_forward_targets: int = 20
    # Favourites of messages a user may keep (decision 0036).
    max_favorites: int = Field(default=5000, ge=1)
    history_page_limit: int = 500
    sync_page_limit: int = 1000
    # A client that sends nothing for this long is considered gone. Clients ping every 25 s;
    # three missed pings close the connection.
    heartbeat_timeout_seconds: float = 75.0
    # A new WebSocket must authenticate this long after its handshake, whatever it sends
    # meanwhile (pings and garbage do not extend it).
    auth_timeout_seconds: float = Field(default=10.0, gt=0)

    # Rate limits (tidings.limits; docs/protocol.md "Rate limits"). Each rule is
    # TIDINGS_RATE_<RULE> = "<count>/<period>" (a burst of count, then one per period/count)
    # or "off"; shared by all nodes through Redis when TIDINGS_REDIS_URL is set. False turns
    # every rule off, the sign-in lock-out too: for benchmarks' A/B runs, not for production.
    rate_limits: bool = True
    # Sign-in attempts, reserved before the password is checked (a right one is given back):
    # per account and address; per address whatever the account (a spray of accounts); per
    # account whatever the address (guesses from many addresses), which a known device skips
    # (it has a bucket of its own at the first rule's rate), so the lock-out cannot be aimed
    # at the account's owner.
    rate_sign_in_account_address: RateSetting = "10/5m"
    rate_sign_in_address: RateSetting = "50/5m"
    rate_sign_in_account: RateSetting = "30/15m"
    # Registrations per address: accounts are not free to make in bulk.
    rate_register_address: RateSetting = "20/1h"
    # Messages sent (a forward counts once per target) per user: far above any person's pace.
    rate_message_send: RateSetting = "120/1m"
    # Messages mentioning @all per user: each one notifies a whole group.
    rate_mention_all: RateSetting = "10/1h"
    # Groups created per user, and members a user adds (creating a group or inviting) per hour.
    rate_group_create: RateSetting = "10/1h"
    rate_members_add: RateSetting = "1000/1h"
    # WebSocket connections (auth) per session: a client that reconnects in a loop.
    rate_ws_connect_session: RateSetting = "30/1m"
    # People searches (contacts.search, org.search) per user: each scans the directory.
    rate_search: RateSetting = "60/1m"
    # Message searches per user (decision 0072): a search box live as you type asks a few
    # times a word, debounced; far more is a script.
    rate_message_search: RateSetting = "120/1m"
    # Calls started per user (decision 0074): each one rings every device of someone else.
    rate_call_start: RateSetting = "20/1m"
    # Group member lists per user (each reads up to a whole group; clients cache them).
    rate_member_list: RateSetting = "120/1m"
    # Sign-in and reset codes sent per destination and per address (h/codes calls them).
    rate_code_send_destination: RateSetting = "5/1h"
    rate_code_send_address: RateSetting = "20/1h"
    # Second-step codes (TOTP, recovery, device confirmation) tried per user, a right one
    # given back: with the password known, new challenges must not mean new guesses.
    rate_sign_in_second_step: RateSetting = "10/15m"
    # Password-lock codes (and account passwords given to the lock) tried per user, a right
    # one given back: someone at an unlocked device must not guess the code (h/me).
    rate_lock_verify: RateSetting = "10/5m"
    # Customer service (decision 0066): visitors the widget creates per address (anyone may
    # call it), and messages per visitor (far below a person's: a visitor is anyone).
    rate_service_visitor_address: RateSetting = "30/1h"
    rate_service_visitor_send: RateSetting = "30/1m"
    # Apps (issue 14): every call of one app's tokens to /api/v1/app/, and token requests
    # per client id (a wrong secret is not guessed at speed).
    rate_app_api: RateSetting = "6000/1m"
    rate_app_token: RateSetting = "30/1m"  # noqa: S105 (a rate, not a password)
    # How long an app's access token lives (its ``expires_in``); a day at most.
    app_token_ttl_seconds: int = Field(default=7200, ge=1, le=86_400)

    # Verification codes, TOTP and the second step of a sign-in (docs/protocol.md "Account
    # security"). Empty: the e-mail channel is off. smtp://user:pass@host:587?starttls=true,
    # smtps://host:465 for TLS from the start.
    smtp_url: Annotated[str, AfterValidator(_check_smtp_url)] = ""
    mail_from: str = "Tidings <tidings@localhost>"
    # Off by default: a company server must not offer SMS codes that only reach a log file.
    # `log` is for development and the demo.
    sms_provider: SmsProvider = SmsProvider.NONE
    # A password sign-in from a device the user has not used before must confirm a code sent
    # to their verified e-mail or phone (PRODUCT.md A5), unless TOTP is on (it confirms).
    new_device_confirmation: bool = True
    # A code lives 10 minutes and dies after 5 wrong tries (sends are limited by the
    # TIDINGS_RATE_CODE_SEND_* rules above).
    code_ttl_seconds: int = Field(default=600, ge=1)
    code_max_tries: int = Field(default=5, ge=1)
    # How long the second step of a sign-in may wait (the challenge's life).
    sign_in_challenge_ttl_seconds: int = Field(default=300, ge=1)
    # The name an authenticator app shows next to the account.
    totp_issuer: str = "Tidings"

    # Sign in with OpenID Connect (docs/decisions/0064). Empty issuer: off. The issuer is the
    # provider's URL as its discovery document names it (https://sso.example.com/realms/x);
    # the client is registered there with the redirect URI
    # <this server>/api/v1/auth/oidc/callback. No secret: a public client (PKCE only).
    oidc_issuer: Annotated[str, AfterValidator(_check_oidc_issuer)] = ""
    oidc_client_id: str = Field(default="", max_length=256)
    oidc_client_secret: str = Field(default="", max_length=1024)
    oidc_scopes: str = Field(default="openid profile email", max_length=512)
    # The claim that names the Tidings user: any claim is matched with the account name
    # (preferred_username, upn, ...); "email" is matched with the account name or a verified
    # bound e-mail address, and only when the provider says the address is verified.
    oidc_user_claim: str = Field(default="preferred_username", min_length=1, max_length=64)
    # Whether someone the provider knows and Tidings does not gets an account (the claim's
    # value as the account, the "name" claim as the nickname); off: they are refused.
    oidc_create_users: bool = False
    # The sign-in page's button: "Sign in with <label>".
    oidc_label: str = Field(default="SSO", min_length=1, max_length=60)
    # Empty: <the origin the browser used>/api/v1/auth/oidc/callback. Set it behind a proxy
    # that changes the origin.
    oidc_redirect_uri: str = ""
    # How long the browser may stay at the provider between start and callback.
    oidc_sign_in_ttl_seconds: int = Field(default=600, ge=30)
    # Each call to the provider (discovery, keys, token, userinfo) is given up after this.
    oidc_timeout_seconds: float = Field(default=10.0, gt=0)
    # Sign-ins started per address: each one is a row until it expires.
    rate_oidc_start: RateSetting = "30/1m"

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
    # Password hashes run in a pool of this many threads of their own (each hash holds
    # argon2_memory_kib): sign-ins never wait behind media work or file I/O.
    password_workers: int = Field(default=2, ge=1)

    # Network deadlines (docs/decisions/0028): slow or silent clients must not hold
    # connections. A request head, which includes a WebSocket handshake, must be complete
    # this long after the connection opens or the head's first byte arrives.
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    # A request body must be in full this long after its head. Uploads are exempt (they may
    # take hours): they end after upload_idle_seconds without a byte instead.
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    # An idle keep-alive connection is closed after this. Longer than clients keep theirs
    # (httpx 5 s, browsers up to 60 s): a client reusing a connection the server has just
    # closed gets "disconnected without a response", which httpx does not retry.
    keep_alive_seconds: int = Field(default=65, ge=1)
    # /metrics answers these networks (the client address, or X-Forwarded-For from a trusted
    # proxy) and requests with the bearer token below; others get 403.
    metrics_allowed_networks: CommaList = ["127.0.0.0/8", "::1/128"]
    metrics_token: str = ""
    # Browser pages of these origins (https://app.example.com) may call the REST API and tus
    # uploads (CORS) and open the WebSocket, besides the server's own pages (decision 0063).
    # Clients sending no Origin (SDKs, the CLI) are not browsers and always may. The default
    # of the live site setting `cors.allowed_origins`, which administrators edit.
    allowed_origins: CommaList = []
    # Its older name (the WebSocket only, before 0063), still read: the two lists are joined.
    ws_allowed_origins: CommaList = []

    # Maps in the web client (location messages). Empty: no tiles are loaded from anywhere;
    # the client shows coordinates and addresses only. Tiles come from this template (its
    # host is added to the page's img-src CSP); the attribution is shown on every map, as
    # tile providers require (e.g. "© OpenStreetMap contributors").
    map_tile_url: Annotated[str, AfterValidator(_check_tile_url)] = ""
    map_attribution: str = Field(default="", max_length=300)
    map_max_zoom: int = Field(default=19, ge=1, le=22)
    # Stickers a user may keep (the composer's sticker panel lists them all).
    max_stickers: int = Field(default=300, ge=1, le=10_000)
    # Settings kept on the server (issue 12): the largest document a user may store, as JSON.
    user_settings_max_bytes: int = Field(default=32 * 1024, ge=1024)
    # Settings changes per user: each one is an entry of the private log on every device.
    rate_settings_update: RateSetting = "60/1m"
    # Web Push (RFC 8030/8291/8292; docs/decisions/0046). Off: push.config answers null and
    # nothing is sent. The VAPID key pair is made once and kept in the database.
    push_enabled: bool = True
    # Who runs this server, for push services to contact (VAPID "sub"): mailto: or https:.
    push_contact: str = Field(default="mailto:admin@localhost", pattern=r"^(mailto:|https://)")
    # Push services are reached over https on public addresses only. Networks listed here
    # (e.g. 127.0.0.0/8 for a test's push service) may be called too, over http as well.
    push_allowed_networks: CommaList = []
    # How long a push service keeps an undelivered notification (the TTL header).
    push_ttl_seconds: int = Field(default=24 * 3600, ge=0)
    # Pushes in flight at once, each given up after this long; at most this many messages
    # wait for the sender (more are dropped: push is a courtesy, sync is the truth).
    push_concurrency: int = Field(default=8, ge=1)
    push_timeout_seconds: float = Field(default=10.0, gt=0)
    push_queue_max: int = Field(default=10_000, ge=1)
    # Messages arriving within this window are sent as one push per user and conversation.
    push_coalesce_seconds: float = Field(default=0.5, ge=0)

    # Customer service (decision 0066): a visitor with no activity for this long (no message
    # either way, no connection, their chat closed) is forgotten: their sessions go, their
    # name, page and the host's customer id are wiped, the conversation's log stays as the
    # company's record. 90 days by default; 0 keeps visitors for ever. Checked this often by
    # each serving node.
    service_visitor_retention_seconds: int = Field(default=90 * 24 * 3600, ge=0)
    service_cleanup_interval_seconds: float = Field(default=3600.0, gt=0)

    # Webhooks (issue 14, J2; decision 0068). A receiver must answer 2xx within the timeout.
    # Retries follow Standard Webhooks' schedule (after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
    # 10 h: 27.6 hours in all), each delay -+20 % at random; then the delivery has failed.
    webhook_timeout_seconds: float = Field(default=15.0, gt=0)
    webhook_retry_seconds: Annotated[list[float], NoDecode] = [
        5,
        300,
        1800,
        7200,
        18000,
        36000,
        36000,
    ]
    # A subscription whose deliveries have all failed for this long, at least this many in
    # a row, is paused (its deliveries wait) and admins get a notice; the app resumes it.
    webhook_pause_after_seconds: float = Field(default=24 * 3600, ge=0)
    webhook_pause_after_failures: int = Field(default=10, ge=1)
    # Receivers may be on public addresses and in these networks (the company's own: a CRM
    # on the LAN); loopback and link-local addresses only when listed (a test's receiver on
    # 127.0.0.0/8). Never this server itself.
    webhook_allowed_networks: CommaList = [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "fc00::/7",
    ]
    # Deliveries in flight at once per node, and how often a node looks for work (it is
    # woken at once by events written on itself).
    webhook_concurrency: int = Field(default=32, ge=1)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    # Deliveries are kept this long after their last attempt (succeeded, or failed once the
    # retries were spent) to be listed and replayed, events as long as any delivery of
    # theirs; then they are deleted, every ``webhook_prune_seconds`` on each serving node.
    webhook_retention_seconds: float = Field(default=7 * 24 * 3600, gt=0)
    webhook_prune_seconds: float = Field(default=3600.0, gt=0)

    # Message search (decision 0072): how often the indexer looks for entries written on
    # other nodes (it is woken at once by messages committed on its own).
    search_poll_seconds: float = Field(default=0.5, gt=0)
    # Off: this node never indexes (another node does, or nobody: searches find what is
    # indexed already). For a node that should keep its processor for sends, and the bench.
    search_indexing: bool = True

    static_dir: Path | None = None
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    # Strict-Transport-Security on answers over HTTPS; 0 sends none.
    hsts_max_age_seconds: int = Field(default=365 * 24 * 3600, ge=0)
    log_level: str = "info"
    # text for people; json: one object per line with the request id (decision 0055).
    log_format: LogFormat = LogFormat.TEXT
    # One line per HTTP request and per WebSocket op (logger tidings.access). Unset: on with
    # JSON lines, off with text.
    access_log: bool | None = None
    demo: bool = False
    # The dashboard's days (PRODUCT.md K6, decision 0061): midnight to midnight in this IANA
    # time zone (Asia/Shanghai, Europe/Berlin, ...). Counters are kept per such day.
    stats_time_zone: str = "UTC"
    # Counters and active users gathered in memory are written this often: a crash loses at
    # most this much of them (they are statistics, not messages).
    stats_flush_seconds: float = Field(default=10.0, gt=0)

    @field_validator(
        "metrics_allowed_networks",
        "allowed_origins",
        "ws_allowed_origins",
        "push_allowed_networks",
        "webhook_allowed_networks",
        "webhook_retry_seconds",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator(
        "metrics_allowed_networks", "push_allowed_networks", "webhook_allowed_networks"
    )
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ip_network(network, strict=False)  # a ValueError names the bad one
        return value

    @field_validator("stats_time_zone")
    @classmethod
    def _check_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("allowed_origins", "ws_allowed_origins")
    @classmethod
    def _normalise_origins(cls, value: list[str]) -> list[str]:
        return normalise_origins(value)  # a ValueError names the bad one

    @property
    def configured_origins(self) -> list[str]:
        """The allowed origins as configured (both names), the live setting's default."""
        return list(dict.fromkeys([*self.allowed_origins, *self.ws_allowed_origins]))

    @property
    def map_tile_origins(self) -> list[str]:
        """Where map tiles come from, for the page's CSP (``{s}`` subdomains: any of them)."""
        if not self.map_tile_url or self.map_tile_url.startswith("/"):
            return []
        parts = urlsplit(self.map_tile_url.replace("{s}", "SUBDOMAIN"))
        host = (parts.hostname or "").replace("subdomain", "*")
        port = f":{parts.port}" if parts.port else ""
        return [f"{parts.scheme}://{host}{port}"]

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
