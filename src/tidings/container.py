"""Wiring: one typed container builds every service once (STYLE.md: Synapse's HomeServer)."""

from __future__ import annotations

import secrets
from functools import cached_property

from redis.asyncio import Redis

from tidings.actions.account_security import AccountSecurity
from tidings.actions.accounts import Accounts
from tidings.actions.admin_gate import AdminGate
from tidings.actions.admin_groups import AdminGroups
from tidings.actions.admin_users import AdminUsers
from tidings.actions.announcements import Announcements
from tidings.actions.app_api import AppApi
from tidings.actions.apps import Apps
from tidings.actions.attachments import Attachments
from tidings.actions.broadcasts import Broadcasts, BroadcastSender
from tidings.actions.burns import Burns
from tidings.actions.calls import Calls
from tidings.actions.chat_lock import ChatLocks
from tidings.actions.chat_records import ChatRecords
from tidings.actions.codes import Codes
from tidings.actions.contacts import Contacts
from tidings.actions.conversations import Conversations
from tidings.actions.favorites import FavoriteFiles, FavoriteMessages
from tidings.actions.file_cleanup import FileCleanup
from tidings.actions.files import Files
from tidings.actions.governance import Governance, Policies
from tidings.actions.group_calls import GroupCalls
from tidings.actions.groups import Groups
from tidings.actions.imports import Imports
from tidings.actions.invites import Invites
from tidings.actions.known_devices import KnownDevices
from tidings.actions.messages import Messages
from tidings.actions.moderation import ContentScreen, Reports, WordListAdmin, WordLists
from tidings.actions.notices import Notices
from tidings.actions.org_import import OrgImports
from tidings.actions.organization import Directory, DirectoryIndex, OrgCache
from tidings.actions.password_reset import PasswordReset
from tidings.actions.presence import Presence
from tidings.actions.privacy import PrivacySettings
from tidings.actions.publisher import Publisher
from tidings.actions.push_notifications import PushNotifications
from tidings.actions.receipts import Receipts
from tidings.actions.registration import RegistrationInvites
from tidings.actions.rosters import RosterCache
from tidings.actions.search import MessageSearch, SearchIndexer
from tidings.actions.service import ServiceDesk
from tidings.actions.service_retention import VisitorRetention
from tidings.actions.session_touches import SessionTouches
from tidings.actions.sign_in_steps import SignInSteps
from tidings.actions.single_sign_on import SingleSignOn
from tidings.actions.site_settings import SiteSettingsActions
from tidings.actions.sso import SsoTickets
from tidings.actions.statistics import Statistics, StatisticsRecorder
from tidings.actions.stickers import Stickers
from tidings.actions.sync import Sync
from tidings.actions.two_factor import TwoFactor
from tidings.actions.user_settings import UserSettingsActions
from tidings.actions.webhooks import (
    WebhookInterest,
    WebhookRetention,
    Webhooks,
    WebhookSender,
    WebhookUrls,
)
from tidings.actions.workbench import Workbench
from tidings.auth.delivery import CodeDelivery
from tidings.auth.openid import OpenIdProvider
from tidings.auth.password_policy import PasswordPolicy
from tidings.auth.passwords import Passwords
from tidings.bus.base import Bus
from tidings.bus.local import InProcessBus
from tidings.bus.messages import BusGap, BusMessage, RosterChanged
from tidings.bus.presence import LocalPresence, PresenceRegistry
from tidings.bus.rate import LocalRateWindow, RateWindow, RedisRateWindow
from tidings.bus.redis import RedisBus
from tidings.bus.redis_presence import RedisPresence
from tidings.config import Settings
from tidings.domain.statistics import Calendar
from tidings.files.storage import LocalStorage, Storage
from tidings.gateway.connections import ConnectionRegistry
from tidings.gateway.member_pushes import MemberPushes
from tidings.limits import Limits, LocalWindow, RedisWindow
from tidings.store.accounts import AccountStore
from tidings.store.admin_groups import AdminGroupStore
from tidings.store.admin_users import AdminUserStore
from tidings.store.announcements import AnnouncementStore
from tidings.store.app_notices import AppNoticeStore
from tidings.store.apps import AppStore
from tidings.store.audit import AuditStore
from tidings.store.broadcasts import BroadcastStore
from tidings.store.burns import BurnStore
from tidings.store.calls import CallStore
from tidings.store.contacts import ContactStore
from tidings.store.conversations import ConversationStore
from tidings.store.database import Database
from tidings.store.external_ids import ExternalIdStore
from tidings.store.favorites import FavoriteStore
from tidings.store.files import FileStore
from tidings.store.group_queues import GroupQueueStore
from tidings.store.groups import GroupStore
from tidings.store.known_devices import KnownDeviceStore
from tidings.store.log_writer import LogWriter
from tidings.store.moderation import ModerationStore
from tidings.store.oidc import OidcSignInStore
from tidings.store.organization import OrgStore
from tidings.store.privacy import PrivacyStore
from tidings.store.push import PushStore
from tidings.store.registration_invites import RegistrationInviteStore
from tidings.store.search_index import SearchIndex
from tidings.store.search_pg import PgSearchIndex
from tidings.store.search_sqlite import SqliteSearchIndex, index_path
from tidings.store.security import SecurityStore
from tidings.store.service import ServiceStore
from tidings.store.site_settings import SiteSettingsStore
from tidings.store.sso_tickets import SsoTicketStore
from tidings.store.statistics import StatisticsStore
from tidings.store.stickers import StickerStore
from tidings.store.user_settings import UserSettingsStore
from tidings.store.webhooks import WebhookStore
from tidings.store.workbench import WorkbenchStore


class Container:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # Infrastructure

    @cached_property
    def database(self) -> Database:
        return Database(self.settings)

    @cached_property
    def node_id(self) -> str:
        return self.settings.node_id or secrets.token_hex(6)

    @cached_property
    def redis(self) -> Redis | None:
        if not self.settings.redis_url:
            return None
        return Redis.from_url(self.settings.redis_url, socket_timeout=5, socket_connect_timeout=5)

    @cached_property
    def bus(self) -> Bus:
        if not self.settings.redis_url:
            return InProcessBus()
        return RedisBus(
            self.settings.redis_url,
            self.node_id,
            list_max=self.settings.cluster_push_list_max,
        )

    @cached_property
    def presence_registry(self) -> PresenceRegistry:
        if self.redis is None:
            return LocalPresence()
        presence = RedisPresence(
            self.redis, self.node_id, self.bus, ttl_seconds=self.settings.presence_ttl_seconds
        )
        bus = self.bus
        if isinstance(bus, RedisBus):
            bus.on_reconnect(presence.rewrite)
        return presence

    @cached_property
    def passwords(self) -> Passwords:
        s = self.settings
        return Passwords(
            time_cost=s.argon2_time_cost,
            memory_kib=s.argon2_memory_kib,
            parallelism=s.argon2_parallelism,
            threads=s.password_workers,
        )

    @cached_property
    def log_writer(self) -> LogWriter:
        return LogWriter(self.database, batch_max=self.settings.write_batch_max)

    @cached_property
    def account_store(self) -> AccountStore:
        return AccountStore(self.database)

    @cached_property
    def conversation_store(self) -> ConversationStore:
        return ConversationStore(self.database)

    @cached_property
    def file_store(self) -> FileStore:
        return FileStore(self.database)

    @cached_property
    def storage(self) -> Storage:
        return LocalStorage(self.settings.data_dir / "files")

    @cached_property
    def rosters(self) -> RosterCache:
        return RosterCache(self.conversation_store)

    @cached_property
    def publisher(self) -> Publisher:
        return Publisher(self.bus)

    @cached_property
    def connections(self) -> ConnectionRegistry:
        return ConnectionRegistry(self.presence_registry, self.bus)

    @cached_property
    def member_pushes(self) -> MemberPushes:
        return MemberPushes(self.rosters, self.connections)

    # Actions

    @cached_property
    def notices(self) -> Notices:
        return Notices(writer=self.log_writer, publisher=self.publisher)

    @cached_property
    def audit_store(self) -> AuditStore:
        return AuditStore(self.database)

    @cached_property
    def admin_gate(self) -> AdminGate:
        return AdminGate(self.org_store, self.audit_store)

    @cached_property
    def apps(self) -> Apps:
        return Apps(
            store=AppStore(self.database),
            accounts=self.account_store,
            gate=self.admin_gate,
            limits=self.limits,
            token_ttl_seconds=self.settings.app_token_ttl_seconds,
        )

    @cached_property
    def workbench(self) -> Workbench:
        return Workbench(
            store=WorkbenchStore(self.database),
            apps=AppStore(self.database),
            accounts=self.account_store,
            org=self.org_cache,
            gate=self.admin_gate,
        )

    @cached_property
    def app_api(self) -> AppApi:
        return AppApi(
            apps=self.apps,
            gate=self.admin_gate,
            accounts=self.account_store,
            account_actions=self.accounts,
            external_ids=ExternalIdStore(self.database),
            passwords=self.passwords,
            policy=self.password_policy,
            org=self.org_store,
            org_cache=self.org_cache,
            org_imports=self.org_imports,
            directory=self.directory,
            conversations=self.conversations,
            groups=self.groups,
            messages=self.messages,
            notices=self.notices,
            app_notices=AppNoticeStore(self.database),
            presence=self.presence_registry,
            publisher=self.publisher,
        )

    @cached_property
    def sso_tickets(self) -> SsoTickets:
        return SsoTickets(
            store=SsoTicketStore(self.database), app_api=self.app_api, accounts=self.accounts
        )

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(
            gate=self.admin_gate,
            screen=self.content_screen,
            settings=self.settings,
            store=self.account_store,
            passwords=self.passwords,
            publisher=self.publisher,
            notices=self.notices,
            touches=self.session_touches,
            policy=self.password_policy,
            org=self.org_store,
            known_devices=self.known_devices,
            limits=self.limits,
            sign_in_steps=self.sign_in_steps,
            files=self.file_store,
        )

    @cached_property
    def password_policy(self) -> PasswordPolicy:
        return PasswordPolicy(
            min_length=self.settings.password_min_length,
            min_score=self.settings.password_min_score,
        )

    @cached_property
    def registration_invites(self) -> RegistrationInvites:
        return RegistrationInvites(
            settings=self.settings,
            store=RegistrationInviteStore(self.database),
            gate=self.admin_gate,
        )

    # Account security: codes, TOTP, the second step of a sign-in

    @cached_property
    def security_store(self) -> SecurityStore:
        return SecurityStore(self.database)

    @cached_property
    def codes(self) -> Codes:
        return Codes(
            settings=self.settings,
            store=self.security_store,
            accounts=self.account_store,
            passwords=self.passwords,
            delivery=CodeDelivery(self.settings),
            limits=self.limits,
        )

    @cached_property
    def two_factor(self) -> TwoFactor:
        return TwoFactor(
            settings=self.settings,
            store=self.security_store,
            accounts=self.account_store,
            passwords=self.passwords,
        )

    @cached_property
    def sign_in_steps(self) -> SignInSteps:
        return SignInSteps(
            settings=self.settings,
            store=self.security_store,
            accounts=self.account_store,
            codes=self.codes,
            two_factor=self.two_factor,
            known_devices=self.known_devices,
            notices=self.notices,
            limits=self.limits,
            # Accounts opens sessions and calls these steps first: the cycle is broken by
            # looking Accounts up when a session opens, not when the steps are built.
            open_session=lambda user, attempt: self.accounts.open_session(user, attempt),
        )

    @cached_property
    def openid_provider(self) -> OpenIdProvider:
        return OpenIdProvider(self.settings)

    @cached_property
    def single_sign_on(self) -> SingleSignOn:
        return SingleSignOn(
            settings=self.settings,
            provider=self.openid_provider,
            store=OidcSignInStore(self.database),
            accounts_store=self.account_store,
            security_store=self.security_store,
            accounts=self.accounts,
            sign_in_steps=self.sign_in_steps,
            gate=self.admin_gate,
            limits=self.limits,
        )

    @cached_property
    def password_reset(self) -> PasswordReset:
        return PasswordReset(
            store=self.security_store,
            codes=self.codes,
            passwords=self.passwords,
            accounts=self.accounts,
            notices=self.notices,
        )

    @cached_property
    def account_security(self) -> AccountSecurity:
        return AccountSecurity(
            store=self.security_store, two_factor=self.two_factor, known_devices=self.known_devices
        )

    @cached_property
    def known_devices(self) -> KnownDevices:
        return KnownDevices(KnownDeviceStore(self.database))

    @cached_property
    def session_touches(self) -> SessionTouches:
        return SessionTouches(self.account_store)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(
            settings=self.settings,
            store=self.conversation_store,
            accounts=self.account_store,
            rosters=self.rosters,
            publisher=self.publisher,
            groups=self.groups,
            directory=self.directory,
            limits=self.limits,
            privacy=self.privacy,
            site=self.site_settings,
            screen=self.content_screen,
        )

    @cached_property
    def messages(self) -> Messages:
        return Messages(
            settings=self.settings,
            store=self.conversation_store,
            writer=self.log_writer,
            governance=self.governance,
            rosters=self.rosters,
            publisher=self.publisher,
            attachments=self.attachments,
            directory=self.directory,
            limits=self.limits,
            records=self.chat_records,
            burns=self.burns,
            site=self.site_settings,
            screen=self.content_screen,
            service=self.service_desk,
        )

    # Customer service on a web site (J4, decision 0066)
    @cached_property
    def service_store(self) -> ServiceStore:
        return ServiceStore(self.database)

    @cached_property
    def service_desk(self) -> ServiceDesk:
        return ServiceDesk(
            store=self.service_store,
            accounts=self.account_store,
            conversations=self.conversation_store,
            rosters=self.rosters,
            publisher=self.publisher,
            limits=self.limits,
            gate=self.admin_gate,
            presence=self.presence_registry,
        )

    @cached_property
    def visitor_retention(self) -> VisitorRetention:
        return VisitorRetention(settings=self.settings, store=self.service_store)

    # Burn after reading (decision 0038)
    @cached_property
    def burn_store(self) -> BurnStore:
        return BurnStore(self.database)

    @cached_property
    def burns(self) -> Burns:
        return Burns(
            settings=self.settings,
            store=self.burn_store,
            conversations=self.conversation_store,
            rosters=self.rosters,
            publisher=self.publisher,
            files=self.files,
            file_store=self.file_store,
        )

    # One-to-one calls (decision 0074) and group calls through Janus (0078)
    @cached_property
    def calls(self) -> Calls:
        store = CallStore(self.database)
        return Calls(
            settings=self.settings,
            store=store,
            contacts=self.contact_store,
            rosters=self.rosters,
            publisher=self.publisher,
            limits=self.limits,
            site=self.site_settings,
            group=GroupCalls(
                settings=self.settings,
                store=store,
                rosters=self.rosters,
                publisher=self.publisher,
            ),
        )

    @cached_property
    def files(self) -> Files:
        return Files(
            settings=self.settings,
            store=self.file_store,
            storage=self.storage,
            site=self.site_settings,
        )

    @cached_property
    def attachments(self) -> Attachments:
        return Attachments(files=self.files, store=self.file_store, rosters=self.rosters)

    @cached_property
    def favorite_files(self) -> FavoriteFiles:
        return FavoriteFiles(
            files=self.files, store=self.file_store, burns=self.burn_store, site=self.site_settings
        )

    # Favourites of messages and chat records (issue 12, h/select)

    @cached_property
    def chat_records(self) -> ChatRecords:
        return ChatRecords(accounts=self.account_store, max_text_chars=self.settings.max_text_chars)

    @cached_property
    def favorite_store(self) -> FavoriteStore:
        return FavoriteStore(self.database)

    @cached_property
    def favorite_messages(self) -> FavoriteMessages:
        return FavoriteMessages(
            settings=self.settings,
            store=self.favorite_store,
            conversations=self.conversation_store,
            accounts=self.account_store,
            rosters=self.rosters,
            publisher=self.publisher,
            messages=self.messages,
            site=self.site_settings,
        )

    # Stickers (issue 12, h/compose)
    @cached_property
    def stickers(self) -> Stickers:
        return Stickers(
            files=self.files,
            store=StickerStore(self.database),
            max_count=self.settings.max_stickers,
        )

    @cached_property
    def file_cleanup(self) -> FileCleanup:
        return FileCleanup(settings=self.settings, store=self.file_store, files=self.files)

    @cached_property
    def receipts(self) -> Receipts:
        return Receipts(
            store=self.conversation_store,
            rosters=self.rosters,
            publisher=self.publisher,
            privacy=self.privacy,
        )

    # Privacy and the password lock (h/me)

    @cached_property
    def privacy_store(self) -> PrivacyStore:
        return PrivacyStore(self.database)

    @cached_property
    def privacy(self) -> PrivacySettings:
        return PrivacySettings(
            store=self.privacy_store, contacts=self.contact_store, publisher=self.publisher
        )

    @cached_property
    def chat_locks(self) -> ChatLocks:
        return ChatLocks(
            store=self.privacy_store,
            accounts=self.account_store,
            passwords=self.passwords,
            limits=self.limits,
            publisher=self.publisher,
        )

    @cached_property
    def sync(self) -> Sync:
        return Sync(
            settings=self.settings, store=self.conversation_store, conversations=self.conversations
        )

    @cached_property
    def presence(self) -> Presence:
        return Presence(
            rosters=self.rosters, publisher=self.publisher, registry=self.presence_registry
        )

    # Contacts, the organization, group governance

    @cached_property
    def contact_store(self) -> ContactStore:
        return ContactStore(self.database)

    @cached_property
    def group_store(self) -> GroupStore:
        return GroupStore(self.database)

    @cached_property
    def group_queue_store(self) -> GroupQueueStore:
        return GroupQueueStore(self.database)

    @cached_property
    def org_store(self) -> OrgStore:
        return OrgStore(self.database)

    @cached_property
    def policies(self) -> Policies:
        return Policies(self.group_store)

    @cached_property
    def org_cache(self) -> OrgCache:
        return OrgCache(self.org_store)

    @cached_property
    def governance(self) -> Governance:
        return Governance(
            queues=self.group_queue_store,
            policies=self.policies,
            publisher=self.publisher,
            rate_window=self.rate_window,
        )

    @cached_property
    def limits(self) -> Limits:
        """Rate limits (tidings.limits): shared through Redis when scaled out."""
        url = self.settings.redis_url
        window = RedisWindow(url) if url else LocalWindow()
        return Limits(self.settings, window)

    @cached_property
    def rate_window(self) -> RateWindow:
        if self.redis is None:
            return LocalRateWindow()
        return RedisRateWindow(self.redis)

    @cached_property
    def directory(self) -> Directory:
        return Directory(
            org=self.org_store,
            cache=self.org_cache,
            index=DirectoryIndex(
                self.org_store, reload_seconds=self.settings.directory_reload_seconds
            ),
            contacts=self.contact_store,
            conversations=self.conversation_store,
            accounts=self.account_store,
            rosters=self.rosters,
            policies=self.policies,
            publisher=self.publisher,
            limits=self.limits,
            privacy=self.privacy,
            gate=self.admin_gate,
        )

    @cached_property
    def contacts(self) -> Contacts:
        return Contacts(
            store=self.contact_store,
            accounts=self.account_store,
            conversations=self.conversation_store,
            directory=self.directory,
            rosters=self.rosters,
            policies=self.policies,
            publisher=self.publisher,
            privacy=self.privacy,
            site=self.site_settings,
        )

    @cached_property
    def groups(self) -> Groups:
        return Groups(
            settings=self.settings,
            store=self.group_store,
            queues=self.group_queue_store,
            conversations=self.conversation_store,
            accounts=self.account_store,
            org=self.org_store,
            directory=self.directory,
            rosters=self.rosters,
            policies=self.policies,
            publisher=self.publisher,
            site=self.site_settings,
            screen=self.content_screen,
        )

    @cached_property
    def announcements(self) -> Announcements:
        return Announcements(
            store=AnnouncementStore(self.database),
            conversations=self.conversation_store,
            rosters=self.rosters,
            policies=self.policies,
            publisher=self.publisher,
            screen=self.content_screen,
        )

    @cached_property
    def invites(self) -> Invites:
        return Invites(
            store=self.contact_store,
            groups_store=self.group_store,
            accounts=self.account_store,
            contacts=self.contacts,
            groups=self.groups,
            rosters=self.rosters,
            policies=self.policies,
            files=self.files,
        )

    @cached_property
    def imports(self) -> Imports:
        return Imports(
            accounts=self.account_store,
            passwords=self.passwords,
            policy=self.password_policy,
            notices=self.notices,
            org=self.org_store,
            org_cache=self.org_cache,
            directory=self.directory,
            contacts=self.contacts,
            publisher=self.publisher,
            files=self.files,
            gate=self.admin_gate,
        )

    @cached_property
    def org_imports(self) -> OrgImports:
        return OrgImports(
            gate=self.admin_gate,
            accounts=self.account_store,
            passwords=self.passwords,
            policy=self.password_policy,
            notices=self.notices,
            org=self.org_store,
            org_cache=self.org_cache,
            directory=self.directory,
            publisher=self.publisher,
        )

    # The back office's users and groups (issue 13, decision 0059)

    @cached_property
    def admin_users(self) -> AdminUsers:
        return AdminUsers(
            gate=self.admin_gate,
            store=AdminUserStore(self.database),
            accounts=self.account_store,
            account_actions=self.accounts,
            org=self.org_store,
            org_cache=self.org_cache,
            directory=self.directory,
            known_devices=self.known_devices,
            passwords=self.passwords,
            policy=self.password_policy,
            notices=self.notices,
            publisher=self.publisher,
        )

    @cached_property
    def admin_groups(self) -> AdminGroups:
        return AdminGroups(
            site=self.site_settings,
            gate=self.admin_gate,
            store=AdminGroupStore(self.database),
            groups_store=self.group_store,
            groups=self.groups,
            rosters=self.rosters,
        )

    # Settings kept on the server and Web Push (issue 12)

    @cached_property
    def user_settings(self) -> UserSettingsActions:
        return UserSettingsActions(
            settings=self.settings,
            store=UserSettingsStore(self.database),
            publisher=self.publisher,
            limits=self.limits,
        )

    @cached_property
    def push_notifications(self) -> PushNotifications:
        return PushNotifications(
            settings=self.settings,
            store=PushStore(self.database),
            accounts=self.account_store,
            user_settings=self.user_settings,
            rosters=self.rosters,
            presence=self.presence_registry,
            locks=self.privacy_store,
        )

    # The dashboard (issue 13, h/dashboard; decision 0061)

    @cached_property
    def statistics_store(self) -> StatisticsStore:
        return StatisticsStore(self.database)

    @cached_property
    def calendar(self) -> Calendar:
        return Calendar(self.settings.stats_time_zone)

    @cached_property
    def statistics_recorder(self) -> StatisticsRecorder:
        return StatisticsRecorder(
            self.statistics_store,
            self.calendar,
            self.presence_registry,
            flush_interval=self.settings.stats_flush_seconds,
        )

    @cached_property
    def statistics(self) -> Statistics:
        return Statistics(
            store=self.statistics_store,
            calendar=self.calendar,
            presence=self.presence_registry,
            gate=self.admin_gate,
        )

    # Site settings (K4, I10; decision 0057): held in memory on every node, applied live

    @cached_property
    def site_settings(self) -> SiteSettingsActions:
        site = SiteSettingsActions(
            settings=self.settings,
            store=SiteSettingsStore(self.database),
            files=self.file_store,
            bus=self.bus,
            gate=self.admin_gate,
            org=self.org_store,
        )
        site.listeners.append(self.connections.push_everyone)
        return site

    # Broadcasts (issue 13, decision 0058)

    @cached_property
    def broadcast_store(self) -> BroadcastStore:
        return BroadcastStore(self.database)

    @cached_property
    def broadcast_sender(self) -> BroadcastSender:
        return BroadcastSender(
            settings=self.settings,
            store=self.broadcast_store,
            org=self.org_store,
            publisher=self.publisher,
            node_id=self.node_id,
        )

    @cached_property
    def broadcasts(self) -> Broadcasts:
        return Broadcasts(
            store=self.broadcast_store,
            org=self.org_store,
            files=self.files,
            gate=self.admin_gate,
            sender=self.broadcast_sender,
        )

    # Webhooks (issue 14, J2; decision 0068)

    @cached_property
    def webhook_store(self) -> WebhookStore:
        return WebhookStore(self.database)

    @cached_property
    def webhook_urls(self) -> WebhookUrls:
        return WebhookUrls(self.settings)

    @cached_property
    def webhook_interest(self) -> WebhookInterest:
        return WebhookInterest(self.webhook_store, self.database.outbox, self.bus)

    @cached_property
    def webhook_sender(self) -> WebhookSender:
        return WebhookSender(
            settings=self.settings,
            store=self.webhook_store,
            database=self.database,
            urls=self.webhook_urls,
            notices=self.notices,
            node_id=self.node_id,
        )

    @cached_property
    def webhook_retention(self) -> WebhookRetention:
        return WebhookRetention(self.settings, self.webhook_store)

    @cached_property
    def webhooks(self) -> Webhooks:
        return Webhooks(
            store=self.webhook_store,
            urls=self.webhook_urls,
            interest=self.webhook_interest,
            sender=self.webhook_sender,
        )

    # Content moderation: the word list and reports (K7, decision 0056)

    @cached_property
    def moderation_store(self) -> ModerationStore:
        return ModerationStore(self.database)

    @cached_property
    def word_lists(self) -> WordLists:
        return WordLists(self.moderation_store, self.bus)

    @cached_property
    def content_screen(self) -> ContentScreen:
        return ContentScreen(self.word_lists, self.moderation_store)

    @cached_property
    def word_list_admin(self) -> WordListAdmin:
        return WordListAdmin(
            store=self.moderation_store, lists=self.word_lists, gate=self.admin_gate
        )

    @cached_property
    def reports(self) -> Reports:
        return Reports(
            store=self.moderation_store,
            conversations=self.conversation_store,
            accounts=self.account_store,
            groups=self.group_store,
            rosters=self.rosters,
            publisher=self.publisher,
            gate=self.admin_gate,
            freeze=self.accounts.do_freeze,
            visible_user=self.directory.visible_user,
            min_mute_seconds=self.settings.min_mute_seconds,
        )

    # Message search (decision 0072)

    @cached_property
    def search_index(self) -> SearchIndex:
        if self.database.sqlite_path is not None:
            return SqliteSearchIndex(index_path(self.database.sqlite_path))
        return PgSearchIndex(self.database)

    @cached_property
    def search_indexer(self) -> SearchIndexer:
        return SearchIndexer(
            index=self.search_index,
            conversations=self.conversation_store,
            accounts=self.account_store,
            poll_seconds=self.settings.search_poll_seconds,
        )

    @cached_property
    def message_search(self) -> MessageSearch:
        return MessageSearch(
            index=self.search_index,
            conversations=self.conversation_store,
            accounts=self.account_store,
            limits=self.limits,
        )

    # Life cycle

    async def start(self, *, serving: bool = False) -> None:
        """Open the database (migrated), the bus and what the actions need. ``serving``:
        also the background work only a server does (purging files, burning read messages,
        sending broadcasts, Web Push); the command line's one-off commands leave it alone."""
        await self.database.migrate()
        self.bus.subscribe(self._on_bus)
        self.bus.subscribe(self.policies.on_bus)
        self.bus.subscribe(self.connections.on_bus)
        self.bus.subscribe(self.member_pushes.on_bus)
        self.bus.subscribe(self.site_settings.on_bus)
        await self.site_settings.start()
        self.bus.subscribe(self.word_lists.on_bus)
        self.bus.subscribe(self.webhook_interest.on_bus)
        await self.bus.start()
        await self.presence_registry.start()
        await self.limits.start()
        self.log_writer.start()
        await self.word_lists.start()
        self.receipts.start()
        self.session_touches.start()
        self.accounts.activity_listeners.append(self.statistics_recorder.seen)
        self.log_writer.committed_listeners.append(self.statistics_recorder.appended)
        self.statistics_recorder.start()
        await self.files.start()
        # What the webhooks want is known before anything is written, on the command line
        # too: a user it creates is a user.created event as one made over REST is.
        await self.webhook_interest.reload()
        if not serving:
            return
        self.file_cleanup.start()
        self.visitor_retention.start()
        self.burns.start()
        self.calls.start()
        self.connections.disconnect_listeners.append(self.calls.group.disconnected)
        self.broadcast_sender.start()
        # Kept current from now on (the bus, every 30 s).
        await self.webhook_interest.start()
        self.connections.presence_listeners.append(self.webhook_sender.on_presence)
        self.webhook_sender.start()
        self.webhook_retention.start()
        # Message search: the index is built from the log, on one serving node at a time.
        await self.search_index.start()
        if self.settings.search_indexing:
            self.log_writer.committed_listeners.append(self.search_indexer.sent)
            self.search_indexer.start()
        if self.settings.push_enabled:
            self.publisher.entry_listeners.append(self.push_notifications.on_entry)
            self.push_notifications.start()

    async def stop(self) -> None:
        self.connections.close_all()
        if "push_notifications" in self.__dict__:
            await self.push_notifications.stop()
        await self.codes.stop()
        await self.file_cleanup.stop()
        if "visitor_retention" in self.__dict__:
            await self.visitor_retention.stop()
        await self.burns.stop()
        if "calls" in self.__dict__:
            await self.calls.stop()
        await self.broadcast_sender.stop()
        if "webhook_retention" in self.__dict__:
            await self.webhook_retention.stop()
        await self.webhook_sender.stop()
        await self.webhook_interest.stop()
        if "search_indexer" in self.__dict__:
            await self.search_indexer.stop()
        if "search_index" in self.__dict__:
            await self.search_index.close()
        await self.receipts.stop()
        await self.word_lists.stop()
        await self.session_touches.stop()
        await self.log_writer.stop()
        if "statistics_recorder" in self.__dict__:  # after the log's last batch is counted
            await self.statistics_recorder.stop()
        await self.presence_registry.stop()
        await self.bus.stop()
        if "limits" in self.__dict__:  # built only if something used it
            await self.limits.close()
        if self.redis is not None:
            await self.redis.aclose()
        if "openid_provider" in self.__dict__:
            await self.openid_provider.close()
        await self.database.dispose()
        # Their worker threads (each built only if something used it).
        if "password_policy" in self.__dict__:
            self.password_policy.close()
        if "passwords" in self.__dict__:
            self.passwords.close()
        if "files" in self.__dict__:
            self.files.stop()

    def _on_bus(self, message: BusMessage) -> None:
        if isinstance(message, RosterChanged):
            self.rosters.invalidate(message.conversation_id)
        elif isinstance(message, BusGap):
            self.rosters.clear()
