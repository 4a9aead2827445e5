import { useCallback, useContext, useEffect, useLayoutEffect, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import type { Translate } from '../i18n/i18n';
import { EMOJI } from '../lib/emoji';
import { linkify } from '../lib/format';
import { stickerFileOf, type BubbleItem, type ChatItem, type ChatViewModel, type Readers } from '../viewmodels/ChatViewModel';
import type { SendKey } from '../viewmodels/PreferencesViewModel';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { GroupCallBanner, GroupInfoPanel, InChatSearch, ScreenshotButton, ServiceChatBar } from './screens';
import { ComposerPlus, plusEntryShown } from './PlusPanel';
import { AttachmentStrip, MessageMedia } from './Media';
import { useOptionalViewModel, useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { AlertIcon, BackIcon, CheckIcon, CloseIcon, ContactsIcon, DoubleCheckIcon, FileIcon, ImageIcon, InfoIcon, PhoneCallIcon, PopOutIcon, SearchIcon, SmileIcon, VideoCallIcon } from './Icons';
import { VirtualList } from './VirtualList';
import { RestoredMark } from './RestoredMark';
import { ScissorsIcon } from './ComposeIcons';
import { startScreenshot, screenshotsSupported } from '../lib/screenshotAction';
import { ChatMoreMenu } from './ClearHistory';
import { SelectCheckbox, SelectionBar } from './MessageSelection';
import { BurnBadge, BurnBanner, BurnMenu, BurnModeButton, BurnSealed, BurnToggle } from './BurnAfterReading';
import { longPress } from './longPress';
import { SiteContext, useModule } from '../viewmodels/SiteSettingsViewModel';

interface ChatViewProps {
  vm: ChatViewModel;
  workspace: WorkspaceViewModel;
  t: Translate;
  sendKey: SendKey;
  onBack(): void;
  onForward(seq: number): void;
  /** Main window only: open this conversation in a window of its own. */
  onPopOut?(id: number): void;
  /** A popped-out window: no way back to a list. */
  standalone?: boolean;
}

interface MenuState {
  x: number;
  y: number;
  item: BubbleItem;
}

export function ChatView({ vm, workspace, t, sendKey, onBack, onForward, onPopOut, standalone = false }: ChatViewProps) {
  const burnOn = useModule('burn_after_reading');
  // Calls (decision 0074): each kind has its site switch.
  const voiceCalls = useModule('voice_calls');
  const videoCalls = useModule('video_calls');
  const callDock = useOptionalViewModel(workspace.calls);
  const chat = useViewModel(vm);
  const selecting = useViewModel(vm.selection).active;
  const [menu, setMenu] = useState<MenuState | null>(null);
  const [sentCount, setSentCount] = useState(0);
  const [dropping, setDropping] = useState(false);
  const canCompose = chat.canSend && chat.muted === null;
  // Files dropped on the chat: only where they may be sent.
  const canDrop = canCompose && chat.attachable;
  // "New messages ↓": new rows came in below while the user reads further up.
  const [unseen, setUnseen] = useState(false);
  const atBottom = useRef(true);
  const anchorKey = chat.anchor === null ? null : (chat.items.find((i) => i.kind === 'bubble' && i.seq === chat.anchor)?.key ?? null);
  const lastKey = chat.items.length > 0 ? itemKey(chat.items[chat.items.length - 1] as ChatItem) : null;
  useEffect(() => {
    if (!atBottom.current && lastKey !== null) setUnseen(true);
  }, [lastKey]);
  useEffect(() => {
    atBottom.current = true;
    setUnseen(false);
  }, [vm]);
  // Ctrl+F (⌘F) in a chat searches this conversation, not the page.
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'f') {
        event.preventDefault();
        void vm.openSearch().then(() => requestAnimationFrame(() => document.querySelector<HTMLInputElement>('[data-testid="chat-search-input"]')?.focus()));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [vm]);
  const onAtBottom = useCallback((bottom: boolean) => {
    atBottom.current = bottom;
    if (bottom) setUnseen(false);
  }, []);

  // The user is looking: mark read whenever new entries show while the page is visible.
  useEffect(() => {
    const markIfVisible = () => {
      if (document.visibilityState === 'visible') vm.markRead();
    };
    markIfVisible();
    document.addEventListener('visibilitychange', markIfVisible);
    window.addEventListener('focus', markIfVisible);
    return () => {
      document.removeEventListener('visibilitychange', markIfVisible);
      window.removeEventListener('focus', markIfVisible);
    };
  }, [vm, chat.items]);

  // The server's map settings, for location messages (issue 12): asked once per client.
  useEffect(() => {
    void vm.compose.loadMap();
  }, [vm]);

  useEffect(() => {
    if (!chat.toast) return;
    const timer = setTimeout(() => vm.showToast(null), 2500);
    return () => clearTimeout(timer);
  }, [vm, chat.toast]);

  const openMenu = useCallback((event: MouseEvent, item: BubbleItem) => {
    event.preventDefault();
    setMenu({ x: Math.min(event.clientX, window.innerWidth - 180), y: Math.min(event.clientY, window.innerHeight - 240), item });
  }, []);

  const renderItem = useCallback(
    (item: ChatItem) => {
      if (item.kind === 'notice') {
        return (
          <div className="chat-notice" data-testid="chat-notice">
            <span>{item.text}</span>
            {item.callBack && workspace.calls && (
              <button className="call-back" onClick={() => item.callBack && void workspace.calls?.start(chat.conversationId, item.callBack)} data-testid="call-back">
                {t('call.callBack')}
              </button>
            )}
          </div>
        );
      }
      const bubble = (
        <Bubble
          item={item}
          t={t}
          showSender={chat.type === 'group' || chat.type === 'service'}
          onMenu={openMenu}
          onRetry={(id) => vm.retry(id)}
          onReaders={(seq) => void vm.showReaders(seq)}
          onSender={(id) => workspace.openProfile(id)}
          onOpenBurn={(seq) => void vm.burn.open(seq)}
          marks={item.seq !== null && chat.searchMarks?.seq === item.seq && item.isText ? chat.searchMarks.find(item.text) : null}
          media={
            item.media ? (
              <MessageMedia
                media={item.media}
                upload={item.upload}
                links={workspace.links}
                t={t}
                clientMsgId={item.clientMsgId}
                onOpenImage={(fileId, name, local) => void workspace.openImage(fileId, name, local, item.burn ? null : { conversationId: chat.conversationId, seq: item.seq })}
                onPause={(id) => vm.pauseUpload(id)}
                onResume={(id) => vm.retry(id)}
                onProfile={(id) => workspace.openProfile(id)}
                onMessage={(id) => void workspace.messagePerson(id)}
                onOpenRecord={(body) => void workspace.openChatRecord(body)}
              />
            ) : null
          }
        />
      );
      const seq = item.seq;
      if (seq !== null && seq === chat.anchor && !selecting) {
        // The message a search opened the chat at.
        return (
          <div className="jump-target" data-testid="jump-target" data-seq={seq}>
            {bubble}
          </div>
        );
      }
      if (!selecting || seq === null) return bubble;
      // Multi-select: a click anywhere on the row picks it (nothing inside opens meanwhile).
      return (
        <div
          className="selectable-row"
          data-testid="selectable-row"
          data-seq={seq}
          onClickCapture={(e) => {
            e.preventDefault();
            e.stopPropagation();
            vm.selection.toggle(seq);
          }}
          onContextMenuCapture={(e) => {
            e.preventDefault();
            e.stopPropagation();
          }}
        >
          <SelectCheckbox vm={vm.selection} seq={seq} t={t} />
          {bubble}
        </div>
      );
    },
    [t, chat.type, chat.conversationId, chat.anchor, chat.searchMarks, openMenu, vm, workspace, selecting],
  );

  return (
    <section className={`chat-pane${chat.groupInfo ? ' with-panel' : ''}`} aria-label={chat.title} data-testid="chat-pane">
      <div
        className={`chat-column${dropping ? ' dropping' : ''}`}
        onDragOver={(e) => {
          if (!canDrop || !hasFiles(e)) return;
          e.preventDefault();
          setDropping(true);
        }}
        onDragLeave={(e) => {
          if (e.currentTarget === e.target) setDropping(false);
        }}
        onDrop={(e) => {
          setDropping(false);
          if (!canDrop || !hasFiles(e)) return;
          e.preventDefault();
          vm.addFiles(filesOf(e.dataTransfer.files));
        }}
        data-testid="chat-column"
      >
      {dropping && <div className="drop-hint">{t('files.dropHere')}</div>}
      <header className="chat-header">
        {!standalone && (
          <button className="icon-button back-button" onClick={onBack} aria-label={t('chat.back')} data-testid="back">
            <BackIcon />
          </button>
        )}
        <div className="chat-title">
          <h2 data-testid="chat-title">{chat.title}</h2>
          <span className={`chat-subtitle${chat.typing ? ' typing' : ''}`} data-testid="chat-subtitle">
            {chat.peerOnline !== undefined && !chat.typing && <span className={`presence-inline ${chat.peerOnline ? 'online' : 'offline'}`} />}
            {chat.subtitle}
          </span>
        </div>
        <div className="chat-actions">
          <button
            className={`icon-button${chat.search ? ' active' : ''}`}
            onClick={() => (chat.search ? vm.closeSearch() : void vm.openSearch())}
            title={`${t('search.inChat')} (Ctrl+F)`}
            aria-label={t('search.inChat')}
            aria-pressed={chat.search !== null}
            data-testid="chat-search-button"
          >
            <SearchIcon />
          </button>
          {chat.type === 'group' && chat.left === null && (
            <button
              className={`icon-button${chat.groupInfo ? ' active' : ''}`}
              onClick={() => vm.toggleGroupInfo()}
              title={t('group.title')}
              aria-label={t('group.title')}
              aria-pressed={chat.groupInfo !== null}
              data-testid="group-info-button"
            >
              <InfoIcon />
            </button>
          )}
          {burnOn && <BurnModeButton controls={chat.burn} t={t} onSet={(on) => void vm.burn.setMode(on)} />}
          {chat.type === 'direct' && chat.peerId !== null && workspace.calls && voiceCalls && (
            <button className="icon-button" onClick={() => void workspace.calls?.start(chat.conversationId, 'audio')} title={t('call.startVoice')} aria-label={t('call.startVoice')} data-testid="call-voice-button">
              <PhoneCallIcon />
            </button>
          )}
          {chat.type === 'direct' && chat.peerId !== null && workspace.calls && videoCalls && (
            <button className="icon-button" onClick={() => void workspace.calls?.start(chat.conversationId, 'video')} title={t('call.startVideo')} aria-label={t('call.startVideo')} data-testid="call-video-button">
              <VideoCallIcon />
            </button>
          )}
          {chat.type === 'group' && chat.left === null && workspace.calls && voiceCalls && (
            <button className="icon-button" onClick={() => void workspace.calls?.startGroup(chat.conversationId, 'audio')} title={t('call.startVoice')} aria-label={t('call.startVoice')} data-testid="group-call-voice-button">
              <PhoneCallIcon />
            </button>
          )}
          {chat.type === 'group' && chat.left === null && workspace.calls && videoCalls && (
            <button className="icon-button" onClick={() => void workspace.calls?.startGroup(chat.conversationId, 'video')} title={t('call.startVideo')} aria-label={t('call.startVideo')} data-testid="group-call-video-button">
              <VideoCallIcon />
            </button>
          )}
          {chat.peerId !== null && (
            <button className="icon-button" onClick={() => chat.peerId !== null && workspace.openProfile(chat.peerId)} title={t('contacts.viewProfile')} aria-label={t('contacts.viewProfile')} data-testid="peer-profile-button">
              <InfoIcon />
            </button>
          )}
          {chat.left === null && <ChatMoreMenu vm={vm} workspace={workspace} t={t} title={chat.title} />}
          {onPopOut && chat.left === null && (
            <button className="icon-button pop-out-button" onClick={() => onPopOut(chat.conversationId)} title={t('menu.openInWindow')} aria-label={t('menu.openInWindow')} data-testid="pop-out">
              <PopOutIcon />
            </button>
          )}
        </div>
      </header>
      {chat.type === 'group' && callDock && (callDock.live.has(chat.conversationId) || callDock.groupError?.conversationId === chat.conversationId) && (
        <GroupCallBanner dock={callDock} conversationId={chat.conversationId} me={workspace.client.me?.id ?? null} t={t} locale={workspace.preferences.getSnapshot().locale} onJoin={() => void workspace.calls?.joinGroup(chat.conversationId)} onDismiss={() => workspace.calls?.dismissGroupError()} />
      )}
      {chat.type === 'service' && <ServiceChatBar chat={vm} t={t} />}
      {chat.search && <InChatSearch vm={chat.search} t={t} onJump={(seq, query) => void vm.jumpTo(seq, query)} onClose={() => vm.closeSearch()} />}
      <div className="message-area">
        <VirtualList
          className="message-list"
          testId="message-list"
          items={chat.items}
          itemKey={itemKey}
          renderItem={renderItem}
          onNearTop={chat.reachedStart ? undefined : () => vm.loadOlder()}
          bottomToken={sentCount}
          onAtBottom={onAtBottom}
          live={chat.atLatest}
          onNearBottom={() => vm.loadNewer()}
          focusKey={anchorKey}
          focusToken={chat.jump}
          header={
            <div className="history-edge">
              {chat.loading ? t('chat.loadingHistory') : chat.reachedStart && chat.items.length > 0 ? t('chat.startOfHistory') : ''}
            </div>
          }
        />
        {/* Back to the newest, from a window far back; not in a group I left, whose chat
            ends at the leaving with nothing to come (scrolling down reaches it). */}
        {!chat.atLatest && chat.left === null && (
          <button
            className="new-messages-pill"
            onClick={() => {
              vm.showLatest();
              setUnseen(false);
              setSentCount((n) => n + 1);
            }}
            title={t('chat.jumpToNewest')}
            data-testid="latest-pill"
          >
            {chat.loadingNewer ? t('chat.loadingNewer') : `${t('chat.latest')} ↓`}
          </button>
        )}
        {unseen && chat.atLatest && (
          <button
            className="new-messages-pill"
            onClick={() => {
              setUnseen(false);
              setSentCount((n) => n + 1);
            }}
            title={t('chat.jumpToNewest')}
            data-testid="new-messages-pill"
          >
            {t('chat.newMessages')} ↓
          </button>
        )}
      </div>
      {chat.toast && (
        <div className="toast" role="status" data-testid="toast">
          {chat.toast}
        </div>
      )}
      {selecting ? (
        <SelectionBar vm={vm.selection} t={t} onForward={(seqs, merged) => void workspace.openForwardPicked(chat.conversationId, seqs, merged)} />
      ) : chat.left !== null ? (
        <div className="composer readonly left-composer" role="status" data-testid="composer-left">
          {t(chat.left === 'removed' ? 'chat.removedFromGroup' : 'chat.leftGroup')}
        </div>
      ) : chat.canSend && chat.muted !== null ? (
        <div className="composer readonly muted-composer" role="status" data-testid="composer-muted">
          <AlertIcon size={16} />
          <span>{chat.muted}</span>
        </div>
      ) : chat.canSend ? (
        <Composer vm={vm} t={t} sendKey={sendKey} onSent={() => {
            vm.showLatest();
            setSentCount((n) => n + 1);
          }} links={workspace.links} />
      ) : (
        <div className="composer readonly">{t('chat.readonly')}</div>
      )}
      {menu && menu.item.burn !== null && (
        <BurnMenu x={menu.x} y={menu.y} item={menu.item} t={t} onClose={() => setMenu(null)} onRecall={(seq) => void vm.recall(seq)} onDelete={(seq) => void vm.deleteForMe(seq)} />
      )}
      {menu && menu.item.burn === null && (
        <BubbleMenu
          menu={menu}
          t={t}
          onClose={() => setMenu(null)}
          onCopy={(seq) => {
            void navigator.clipboard?.writeText(vm.copyText(seq)).then(
              () => vm.showToast(t('menu.copied')),
              () => undefined,
            );
          }}
          onForward={onForward}
          onReply={(seq) => vm.reply(seq)}
          onRecall={(seq) => void vm.recall(seq)}
          canRecallAny={chat.canRecallAny}
          onMarkImportant={chat.canMarkImportant ? (seq) => void vm.markImportant(seq) : null}
          onFavorite={(seq) => void workspace.favoriteMessage(chat.conversationId, seq)}
          onReport={(seq) => void workspace.reportMessage(chat.conversationId, seq)}
          onSelect={(seq) => vm.selection.start(seq)}
          onSaveSticker={(fileId) => void vm.compose.saveSticker(fileId)}
          onDelete={(seq) => void vm.deleteForMe(seq)}
          onRetry={(id) => vm.retry(id)}
          onDiscard={(id) => vm.discard(id)}
          readOnly={chat.left !== null}
        />
      )}
      {chat.readers && <ReadersPopover readers={chat.readers} t={t} onClose={() => vm.closeReaders()} />}
      </div>
      {chat.groupInfo && (
        <GroupInfoPanel
          vm={chat.groupInfo}
          t={t}
          onClose={() => vm.toggleGroupInfo()}
          onInvite={() => chat.groupInfo && workspace.openInvite(chat.groupInfo)}
          onMessage={(id) => void workspace.messagePerson(id, chat.conversationId)}
          onProfile={(id) => workspace.openProfile(id)}
          alerts={workspace.serverSettings}
          onReport={() => void workspace.openReport({ target_type: 'group', conversation_id: chat.conversationId }, chat.title)}
        />
      )}
    </section>
  );
}

function ReadersPopover({ readers, t, onClose }: { readers: Readers; t: Translate; onClose(): void }) {
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop light" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal readers" role="dialog" aria-label={t('readers.title')} data-testid="readers">
        <header className="modal-header">
          <h2>{t('readers.title')}</h2>
          <button className="icon-button small" onClick={onClose} aria-label={t('common.close')}>
            <CloseIcon size={16} />
          </button>
        </header>
        <div className="readers-body">
          <div className="readers-column" data-testid="read-by">
            <h4>{t('readers.read', { count: readers.read.length })}</h4>
            <ul>
              {readers.read.map((r) => (
                <li key={r.id}><Avatar id={r.id} name={r.name} size={24} user /> {r.name}</li>
              ))}
            </ul>
          </div>
          <div className="readers-column" data-testid="unread-by">
            <h4>{t('readers.unread', { count: readers.unread.length })}</h4>
            <ul>
              {readers.unread.map((r) => (
                <li key={r.id}><Avatar id={r.id} name={r.name} size={24} user /> {r.name}</li>
              ))}
            </ul>
          </div>
        </div>
      </div>
    </div>
  );
}

const itemKey = (item: ChatItem) => item.key;

function hasFiles(event: DragEvent): boolean {
  return [...event.dataTransfer.types].includes('Files');
}

/** Picked, pasted or dropped files, with their names. */
function filesOf(list: FileList | null): { file: Blob; name: string }[] {
  return [...(list ?? [])].map((file) => ({ file, name: file.name }));
}

type Marks = readonly (readonly [number, number])[];

function MessageText({ text, marks }: { text: string; marks: Marks | null }) {
  // React text nodes only: message content is untrusted and never becomes HTML.
  let at = 0;
  return (
    <>
      {linkify(text).map((segment, i) => {
        const start = at;
        at += segment.text.length;
        const shown = marks ? <Marked text={segment.text} offset={start} marks={marks} /> : segment.text;
        return segment.kind === 'link' ? (
          <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer nofollow">
            {shown}
          </a>
        ) : (
          <span key={i}>{shown}</span>
        );
      })}
    </>
  );
}

/** A piece of a message (at `offset` in it) with the searched words in <mark>, as text nodes. */
function Marked({ text, offset, marks }: { text: string; offset: number; marks: Marks }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of marks) {
    const from = Math.max(at, start - offset);
    const to = Math.min(text.length, end - offset);
    if (to <= from) continue;
    if (from > at) parts.push(text.slice(at, from));
    parts.push(
      <mark key={from} className="bubble-hit" data-testid="bubble-hit">
        {text.slice(from, to)}
      </mark>,
    );
    at = to;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

function Bubble({
  item,
  t,
  showSender,
  onMenu,
  onRetry,
  onReaders,
  onSender,
  onOpenBurn,
  media,
  marks = null,
}: {
  onOpenBurn(seq: number): void;
  media: ReactNode;
  /** The searched words in the text (the message a search opened the chat at). */
  marks?: Marks | null;
  item: BubbleItem;
  t: Translate;
  showSender: boolean;
  onMenu(event: MouseEvent, item: BubbleItem): void;
  onRetry(clientMsgId: string): void;
  onReaders(seq: number): void;
  onSender(userId: number): void;
}) {
  return (
    <div
      className={`message${item.mine ? ' mine' : ''}${item.restored ? ' restored' : ''}`}
      data-restored={item.restored ? 'true' : undefined}
      data-testid="message"
      data-seq={item.seq ?? ''}
      data-state={item.state ?? ''}
      data-mine={item.mine ? 'true' : 'false'}
    >
      {!item.mine && (
        <button className="avatar-button" onClick={() => onSender(item.senderId)} aria-label={item.sender} tabIndex={-1}>
          <Avatar id={item.senderId} name={item.sender} size={36} user />
        </button>
      )}
      <div className="message-body">
        {showSender && !item.mine && <div className="message-sender">{item.sender}</div>}
        <div className="bubble-row">
          {item.mine && !item.restored && <BubbleStatus item={item} t={t} onRetry={onRetry} onReaders={onReaders} />}
          <div
            className={`bubble${item.mentionsMe ? ' mentioned' : ''}${item.notice ? ' notice-card' : ''}${item.media ? ` media-bubble ${item.media.kind}` : ''}`}
            onContextMenu={(event) => {
              if (!item.restored) onMenu(event, item);
            }}
            {...longPress((event) => {
              if (!item.restored) onMenu(event, item);
            })}
            data-testid="bubble"
            title={item.time}
          >
            {item.restored && <RestoredMark item={item} t={t} />}
            {item.forwarded && (
              <div className="forwarded-mark" data-testid="forwarded-mark">
                <span aria-hidden="true">↪</span> {t('chat.forwarded')}
              </div>
            )}
            {item.quote && (
              <div className="quote" data-testid="quote">
                <span className="quote-sender">{item.quote.sender}</span>
                <span className="quote-text">{item.quote.text}</span>
              </div>
            )}
            {item.notice && <div className="notice-title">{item.notice.title}</div>}
            {item.burn?.state === 'sealed' ? <BurnSealed item={item} media={media} t={t} onOpen={onOpenBurn} /> : media}
            {(item.text || !item.media) && item.burn?.state !== 'sealed' && (
              <div className={`bubble-text${item.isText ? '' : ' unsupported'}`} data-testid="bubble-text">
                <MessageText text={item.text} marks={marks} />
              </div>
            )}
            {item.burn && <BurnBadge burn={item.burn} t={t} />}
            {item.notice?.url && /^https?:\/\//i.test(item.notice.url) && (
              <a className="notice-link" href={item.notice.url} target="_blank" rel="noopener noreferrer nofollow">
                {t('chat.openLink')}
              </a>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}

function BubbleStatus({ item, t, onRetry, onReaders }: { item: BubbleItem; t: Translate; onRetry(id: string): void; onReaders(seq: number): void }) {
  if (item.state === 'failed' && item.failure && !item.failure.retryable) {
    // A refusal (muted, blocked…): say why; sending it again cannot work.
    return (
      <span className="status failed final" title={item.failure.text} data-testid="status" data-failure="final">
        <AlertIcon size={18} />
        <span className="failure-text" data-testid="failure-text">{item.failure.text}</span>
      </span>
    );
  }
  if (item.state === 'failed' && item.clientMsgId) {
    const id = item.clientMsgId;
    return (
      <button className="status failed" onClick={() => onRetry(id)} title={t('state.failed')} aria-label={t('state.failed')} data-testid="status">
        <AlertIcon size={18} />
      </button>
    );
  }
  if (item.state === 'moderation') {
    return <span className="status moderation" data-testid="status">{t('state.moderation')}</span>;
  }
  if (item.state === 'sending') {
    return <span className="status sending spinner" title={t('state.sending')} aria-label={t('state.sending')} data-testid="status" />;
  }
  if (item.readSummary) {
    const seq = item.seq;
    return (
      <button className="status group-read" onClick={() => seq !== null && onReaders(seq)} title={t('readers.title')} data-testid="status">
        {item.readSummary}
      </button>
    );
  }
  const label = item.state === 'read' ? t('state.read') : item.state === 'delivered' ? t('state.delivered') : t('state.sent');
  return (
    <span className={`status ${item.state ?? 'sent'}`} title={label} data-testid="status">
      {item.state === 'read' ? <DoubleCheckIcon size={15} /> : item.state === 'delivered' ? <DoubleCheckIcon size={15} /> : <CheckIcon size={15} />}
      <span className="status-label">{label}</span>
    </span>
  );
}

function BubbleMenu({
  menu,
  t,
  onClose,
  onCopy,
  onForward,
  onReply,
  onRecall,
  onDelete,
  onRetry,
  onDiscard,
  readOnly,
  canRecallAny,
  onMarkImportant,
  onFavorite,
  onReport,
  onSelect,
  onSaveSticker,
}: {
  onSaveSticker(fileId: string): void;
  canRecallAny: boolean;
  onMarkImportant: ((seq: number) => void) | null;
  /** Save the message to my favourites (any kind of message). */
  onFavorite(seq: number): void;
  /** Report the message to the server's reviewers (K7). */
  onReport(seq: number): void;
  /** Enter multi-select with this message picked. */
  onSelect(seq: number): void;
  menu: MenuState;
  t: Translate;
  onClose(): void;
  onCopy(seq: number): void;
  onForward(seq: number): void;
  onReply(seq: number): void;
  onRecall(seq: number): void;
  onDelete(seq: number): void;
  onRetry(id: string): void;
  onDiscard(id: string): void;
  /** A group I left: only copying works. */
  readOnly: boolean;
}) {
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const { item } = menu;
  const act = (action: () => void) => () => {
    onClose();
    action();
  };
  const seq = item.seq;
  const clientMsgId = item.clientMsgId;
  const stickerFile = stickerFileOf(item);
  const recallOn = useModule('recall');
  const favoritesOn = useModule('favorites');
  return (
    <div className="menu-backdrop" onClick={onClose} onContextMenu={(e) => { e.preventDefault(); onClose(); }}>
      <div className="context-menu" style={{ left: menu.x, top: menu.y }} role="menu" data-testid="bubble-menu" onClick={(e) => e.stopPropagation()}>
        {seq === null && clientMsgId !== null ? (
          <>
            {item.state === 'failed' && item.failure?.retryable !== false && <button role="menuitem" onClick={act(() => onRetry(clientMsgId))}>{t('menu.retry')}</button>}
            <button role="menuitem" onClick={act(() => onDiscard(clientMsgId))}>{t('menu.discard')}</button>
          </>
        ) : seq !== null && readOnly ? (
          // A group I left: what was said may be read and copied, nothing more (decision 0075).
          <button role="menuitem" onClick={act(() => onCopy(seq))}>{t('menu.copy')}</button>
        ) : seq !== null ? (
          <>
            <button role="menuitem" onClick={act(() => onCopy(seq))}>{t('menu.copy')}</button>
            <button role="menuitem" onClick={act(() => onForward(seq))}>{t('menu.forward')}</button>
            <button role="menuitem" onClick={act(() => onReply(seq))}>{t('menu.reply')}</button>
            {recallOn && (item.mine || canRecallAny) && <button role="menuitem" onClick={act(() => onRecall(seq))} data-testid="menu-recall">{t('menu.recall')}</button>}
            {onMarkImportant && <button role="menuitem" onClick={act(() => onMarkImportant(seq))}>{t('menu.markImportant')}</button>}
            {favoritesOn && <button role="menuitem" onClick={act(() => onFavorite(seq))} data-testid="menu-favorite">{t('menu.addFavorite')}</button>}
            <button role="menuitem" onClick={act(() => onSelect(seq))} data-testid="menu-select">{t('menu.select')}</button>
            {!item.mine && <button role="menuitem" onClick={act(() => onReport(seq))} data-testid="menu-report">{t('report.action')}</button>}
            {stickerFile !== null && <button role="menuitem" onClick={act(() => onSaveSticker(stickerFile))} data-testid="menu-save-sticker">{t('menu.saveSticker')}</button>}
            <button role="menuitem" className="danger" onClick={act(() => onDelete(seq))}>{t('menu.delete')}</button>
          </>
        ) : null}
      </div>
    </div>
  );
}

function Composer({ vm, t, sendKey, onSent, links }: { vm: ChatViewModel; t: Translate; sendKey: SendKey; onSent(): void; links: WorkspaceViewModel['links'] }) {
  const burnOn = useModule('burn_after_reading');
  const site = useContext(SiteContext);
  const chat = useViewModel(vm);
  const input = useRef<HTMLTextAreaElement>(null);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [active, setActive] = useState(0);
  const candidates = chat.mentionCandidates;

  // Keep the caret where the view model put it (after an emoji or a mention).
  useLayoutEffect(() => {
    const element = input.current;
    if (element && document.activeElement === element && element.selectionStart !== vm.caretPosition) {
      element.setSelectionRange(vm.caretPosition, vm.caretPosition);
    }
  }, [chat.draft, vm]);

  useEffect(() => setActive(0), [candidates.length]);
  useEffect(() => {
    input.current?.focus();
  }, [vm]);
  // "Reply" from the bubble menu: straight back to typing, the caret after what is there.
  const replyRequests = vm.replyRequests;
  useEffect(() => {
    const element = input.current;
    if (replyRequests === 0 || !element) return;
    element.focus();
    element.setSelectionRange(element.value.length, element.value.length);
  }, [replyRequests]);

  const send = () => {
    if (vm.send()) onSent();
  };
  const images = useRef<HTMLInputElement>(null);
  const files = useRef<HTMLInputElement>(null);
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    // A screenshot or a copied file: into the strip, not into the text.
    if (event.clipboardData.files.length === 0) return;
    event.preventDefault();
    vm.addFiles(filesOf(event.clipboardData.files).map((f, i) => ({ ...f, name: f.name || `${t('files.pasted')}-${i + 1}.png` })));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (candidates.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((i) => (i + step + candidates.length) % candidates.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        const pick = candidates[active] ?? candidates[0];
        if (pick) vm.pickMention(pick);
        return;
      }
    }
    if (event.key !== 'Enter') return;
    const modified = event.ctrlKey || event.metaKey;
    const sends = sendKey === 'enter' ? !event.shiftKey && !modified : modified;
    if (sends) {
      event.preventDefault();
      send();
    }
  };

  return (
    <div className="composer" data-testid="composer">
      {chat.replyTo && (
        <div className="reply-bar" data-testid="reply-bar">
          <span className="reply-label">{t('chat.replyingTo', { name: chat.replyTo.sender })}</span>
          <span className="reply-text">{chat.replyTo.text}</span>
          <button className="icon-button small" onClick={() => vm.cancelReply()} aria-label={t('chat.cancelReply')}>
            <CloseIcon size={14} />
          </button>
        </div>
      )}
      <div className="composer-tools">
        <button
          className={`icon-button${emojiOpen ? ' active' : ''}`}
          onClick={() => setEmojiOpen((open) => !open)}
          aria-label={t('chat.emoji')}
          title={t('chat.emoji')}
          data-testid="emoji-button"
        >
          <SmileIcon />
        </button>
        {/* A customer's chat carries text and cards only (decision 0066): no files of any kind. */}
        {chat.attachable && (site?.modules.image_sending ?? true) && (
          <button className="icon-button" onClick={() => images.current?.click()} aria-label={t('files.sendImage')} title={t('files.sendImage')} data-testid="image-button">
            <ImageIcon />
          </button>
        )}
        {chat.attachable && plusEntryShown(site, 'file') && (
          <button className="icon-button" onClick={() => files.current?.click()} aria-label={t('files.sendFile')} title={t('files.sendFile')} data-testid="file-button">
            <FileIcon />
          </button>
        )}
        {chat.attachable && plusEntryShown(site, 'screenshot') && <ScreenshotButton target={vm} t={t} />}
        {/* The "+" panel: voice, video, location, contact cards, stickers (issue 12). */}
        {chat.attachable && <ComposerPlus vm={vm.compose} links={links} t={t} onImages={(picked) => vm.addFiles(picked)} onFile={() => files.current?.click()} extra={screenshotsSupported() ? [{ id: 'screenshot', label: t('screenshot.take'), icon: <ScissorsIcon />, onSelect: startScreenshot }] : []} />}
        {burnOn && <BurnToggle controls={chat.burn} t={t} onToggle={() => vm.burn.toggleNext()} />}
        <input
          ref={images}
          type="file"
          accept="image/jpeg,image/png,image/gif,image/webp,image/bmp"
          multiple
          hidden
          data-testid="image-input"
          onChange={(e) => {
            vm.addFiles(filesOf(e.target.files));
            e.target.value = '';
            input.current?.focus();
          }}
        />
        <input
          ref={files}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            vm.addFiles(filesOf(e.target.files));
            e.target.value = '';
            input.current?.focus();
          }}
        />
      </div>
      <AttachmentStrip items={chat.attachments} original={chat.sendOriginal} t={t} onRemove={(id) => vm.removeAttachment(id)} onOriginal={(v) => vm.setSendOriginal(v)} onExpiry={(id, days) => vm.setAttachmentExpiry(id, days)} />
      {emojiOpen && (
        <EmojiPicker
          recent={chat.recentEmoji}
          t={t}
          onPick={(emoji) => {
            vm.insertEmoji(emoji);
            input.current?.focus();
          }}
          onClose={() => setEmojiOpen(false)}
        />
      )}
      {candidates.length > 0 && (
        <ul className="mention-list" role="listbox" data-testid="mention-list">
          {candidates.map((candidate, i) => (
            <li key={candidate.all ? 'all' : candidate.userId}>
              <button
                data-testid={candidate.all ? 'mention-all' : 'mention-candidate'}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  vm.pickMention(candidate);
                }}
              >
                {candidate.all ? (
                  <span className="avatar avatar-square mention-all-icon" style={{ width: 24, height: 24 }} aria-hidden="true">
                    <ContactsIcon size={15} />
                  </span>
                ) : (
                  <Avatar id={candidate.userId} name={candidate.name} size={24} user />
                )}
                {candidate.all ? `@${candidate.name}` : candidate.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <BurnBanner controls={chat.burn} t={t} />
      <textarea
        ref={input}
        className="composer-input"
        data-testid="composer-input"
        value={chat.draft}
        placeholder={t('chat.inputPlaceholder')}
        aria-label={t('chat.inputPlaceholder')}
        onChange={(e) => vm.setDraft(e.target.value, e.target.selectionStart)}
        onSelect={(e) => vm.moveCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        rows={3}
      />
      <div className="composer-footer">
        <span className="hint">{sendKey === 'enter' ? t('chat.enterHint') : t('chat.ctrlEnterHint')}</span>
        <button className="primary" onClick={send} disabled={!chat.draft.trim() && chat.attachments.length === 0} data-testid="send">
          {t('chat.send')}
        </button>
      </div>
    </div>
  );
}

function EmojiPicker({ recent, t, onPick, onClose }: { recent: readonly string[]; t: Translate; onPick(e: string): void; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onDown = (event: globalThis.MouseEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) onClose();
    };
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    const timer = setTimeout(() => window.addEventListener('mousedown', onDown));
    window.addEventListener('keydown', onKey);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  return (
    <div className="emoji-picker" ref={ref} data-testid="emoji-picker">
      {recent.length > 0 && (
        <>
          <div className="emoji-heading">{t('chat.recentEmoji')}</div>
          <div className="emoji-grid" data-testid="recent-emoji">
            {recent.map((emoji) => (
              <button key={`r-${emoji}`} onClick={() => onPick(emoji)} aria-label={emoji}>
                {emoji}
              </button>
            ))}
          </div>
        </>
      )}
      <div className="emoji-heading">{t('chat.allEmoji')}</div>
      <div className="emoji-grid">
        {EMOJI.map((emoji) => (
          <button key={emoji} onClick={() => onPick(emoji)} aria-label={emoji}>
            {emoji}
          </button>
        ))}
      </div>
    </div>
  );
}
