/** @tidings/sdk — a framework-free client for the Tidings instant-messaging server. */
export * from './protocol';
export { Client, MAX_EXPIRY_DAYS, MIN_EXPIRY_DAYS, systemClock } from './client';
export type { CallPush, GroupCallPush, ClientEvents, ClientOptions, ClientState, Clock, FileContent, SignOutReason, TimelineSnapshot } from './client';
export { AuthApi, signInChallenge, singleSignOnLanding, singleSignOnStartUrl, weakPasswordReasons } from './auth';
export { AccountSecurityApi } from './security';
export type { KnownDevice, SecurityOverview, TotpEnrolment } from './security';
export { RestApi } from './rest';
export { brandingImageUrl, fetchSiteSettings } from './site';
export type * from './management';
export type * from './favorites';
export { searchRequest, snippetParts } from './search';
export type { MessageSearchOptions, MessageSearchPage, MessageSearchResult, SearchKind, SnippetPart } from './search';
export { REPORT_REASONS } from './reports';
export type { FiledReport, ReportReason, ReportTarget } from './reports';
export type { ServiceAgent, ServiceCase, ServiceChat, ServicePage, ServiceState } from './service';
export type { AuthOptions, CodeChannel, CodePurpose, CodeSignInInput, RegisterInput, SecondStepMethod, SignInChallenge, SignInInput, SingleSignOnLanding, SingleSignOnSignedIn } from './auth';
export { TidingsError, errorCode } from './errors';
export type { ClientErrorCode } from './errors';
export { MemoryCache, IndexedDbCache, CACHE_VERSION } from './cache';
export type { Cache, CachedAccount, CachedTimeline } from './cache';
export { webSocketTransport, webSocketUrl } from './transport';
export type { Transport, TransportFactory, TransportHandlers } from './transport';
export { ConnectionHub, sharedTransport } from './shared';
export type { AttachMessage, FromHub, HubEndpoint, HubOptions, HubPeer, ToHub } from './shared';
export { backoffDelay, defaultBackoff } from './backoff';
export type { BackoffOptions } from './backoff';
export { Timeline, tombstone } from './timeline';
export type { SeqRange, TimelineWindow } from './timeline';
export { compareConversations, applyEntry, applyRead, applyReceipt, receiptOf } from './conversations';
export type { Receipt } from './conversations';
export type { PendingMessage, PendingUpload, SendState } from './outbox';
export { isFinalSendError } from './outbox';
export { TusUploader, fileFingerprint, xhrHttp } from './uploads';
export type { HttpRequest, HttpResponse, HttpSend, TusOptions, UploadMeta, UploadOptions, UploadStore, Uploader } from './uploads';
export { decodeFrame, encodeRequest, FrameError } from './codec';
export type { Frame, RequestId } from './codec';
export {
  BACKUP_CHUNK_SIZE,
  BACKUP_ITERATIONS,
  BACKUP_MIN_ITERATIONS,
  BACKUP_VERSION,
  BackupError,
  BackupWriter,
  blobBytes,
  readBackup,
  readBackupHeader,
} from './backup';
export type { BackupErrorCode, BackupHeader, BackupReaderOptions, BackupRecord, BackupSink, BackupWriterOptions } from './backup';
