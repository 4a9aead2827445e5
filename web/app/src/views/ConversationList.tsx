import { useState } from 'react';
import type { ChatLockState } from '@tidings/sdk';
import { longPress } from './longPress';
import type { Translate } from '../i18n/i18n';
import type { ConversationItem, ConversationListViewModel } from '../viewmodels/ConversationListViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { VirtualList } from './VirtualList';
import { BellIcon, LockIcon, MuteIcon, PhoneCallIcon, PlusIcon, SearchIcon } from './Icons';
import { SearchResults } from './screens';
import type { SearchTarget, SearchViewModel } from '../viewmodels/SearchViewModel';

/** The search box over everything (B7): its sections replace the list while it holds text. */
export interface ListSearch {
  /** Null until the box is first typed in (its code is fetched then). */
  vm: SearchViewModel | null;
  onQuery(query: string): void;
  onOpen(target: SearchTarget): void;
}

interface Props {
  vm: ConversationListViewModel;
  t: Translate;
  onOpen(id: number): void;
  onPopOut(id: number): void;
  onNewChat(): void;
  /** The password lock (h/me): locked chats show no preview; the menu locks and unlocks. */
  lock?: ChatLockState | null;
  onLockChat?(id: number, locked: boolean): void;
  search?: ListSearch;
  /** The groups whose call is going on (decision 0078): their rows say so. */
  liveCalls?: ReadonlyMap<number, unknown>;
}

const conversationKey = (item: ConversationItem) => String(item.id);

export function ConversationList({ vm, t, onOpen, onPopOut, onNewChat, lock = null, onLockChat, search, liveCalls }: Props) {
  const isLocked = (id: number) => !!lock?.has_code && lock.conversation_ids.includes(id);
  const { items, query } = useViewModel(vm);
  const [menu, setMenu] = useState<{ x: number; y: number; item: ConversationItem } | null>(null);
  return (
    <section className="conversation-pane" aria-label={t('rail.chats')}>
      <header className="list-header">
        <label className="search">
          <SearchIcon size={16} />
          <input
            placeholder={t('list.search')}
            data-testid="list-search"
            value={query}
            onChange={(e) => (search ? search.onQuery(e.target.value) : vm.search(e.target.value))}
            onKeyDown={(e) => {
              const results = search?.vm;
              if (e.key === 'Escape') {
                e.preventDefault();
                if (search) search.onQuery('');
                else vm.search('');
                e.currentTarget.blur();
              } else if (results && query.trim() && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
                e.preventDefault();
                results.move(e.key === 'ArrowDown' ? 1 : -1);
              } else if (results && query.trim() && e.key === 'Enter') {
                e.preventDefault();
                const target = results.activeTarget();
                if (target) search.onOpen(target);
              }
            }}
            aria-label={t('list.search')}
            aria-controls="search-results"
            role="combobox"
            aria-expanded={!!search?.vm && query.trim() !== ''}
          />
        </label>
        <button className="icon-button" onClick={onNewChat} title={t('list.newChat')} aria-label={t('list.newChat')} data-testid="new-chat">
          <PlusIcon size={18} />
        </button>
      </header>
      {search?.vm && query.trim() ? (
        <SearchResults vm={search.vm} t={t} onOpen={search.onOpen} />
      ) : items.length === 0 ? (
        <ul className="conversation-list" data-testid="conversation-list" data-count={0}>
          <li className="empty">{t('list.empty')}</li>
        </ul>
      ) : (
        <VirtualList
          className="conversation-list"
          testId="conversation-list"
          items={items}
          itemKey={conversationKey}
          stickToBottom={false}
          headerHeight={0}
          estimate={64}
          rowTag="li"
          renderItem={(item) => (
            <button
              className={`conversation-row${item.selected ? ' selected' : ''}${item.pinned ? ' pinned' : ''}`}
              onClick={() => onOpen(item.id)}
              onDoubleClick={() => onPopOut(item.id)}
              onContextMenu={(event) => {
                event.preventDefault();
                setMenu({ x: event.clientX, y: event.clientY, item });
              }}
              {...longPress((event) => setMenu({ x: Math.min(event.clientX, window.innerWidth - 200), y: Math.min(event.clientY, window.innerHeight - 200), item }))}
              data-testid="conversation-row"
              data-conversation-id={item.id}
              data-title={item.title}
              data-locked={isLocked(item.id) || undefined}
            >
              <span className="avatar-wrap">
                <Avatar id={item.avatarId} name={item.title} size={42} online={item.online} emoji={item.emoji} kind={item.type === 'group' ? 'group' : 'person'} user={item.type === 'direct'} />
                {item.unread > 0 && (item.muted ? <span className="badge dot" /> : <span className="badge" data-testid="unread-badge">{item.unread > 99 ? '99+' : item.unread}</span>)}
              </span>
              <span className="row-main">
                <span className="row-top">
                  <span className="row-title">{item.title}</span>
                  <span className="row-time">{item.time}</span>
                </span>
                <span className="row-bottom">
                  <span className="row-preview" data-testid="row-preview">
                    {isLocked(item.id) ? (
                      <span className="locked-preview" data-testid="locked-preview"><LockIcon size={13} /> {t('lock.locked')}</span>
                    ) : item.draft ? (
                      <>
                        <span className="draft-mark">{t('list.draft')}</span> {item.draft}
                      </>
                    ) : (
                      <>
                        {item.mentioned && <span className="draft-mark">{t('list.mentioned')} </span>}
                        {item.muted && item.unread > 1 ? `[${item.unread}] ` : ''}
                        {item.preview}
                      </>
                    )}
                  </span>
                  {liveCalls?.has(item.id) && (
                    <span className="row-call" title={t('call.groupCallLive')} data-testid="row-call-live">
                      <PhoneCallIcon size={14} />
                    </span>
                  )}
                  {item.muted && <span className="row-muted" title={t('list.unmute')}><MuteIcon size={14} /></span>}
                </span>
              </span>
            </button>
          )}
        />
      )}
      {menu && (
        <div className="menu-backdrop" onClick={() => setMenu(null)} onContextMenu={(e) => { e.preventDefault(); setMenu(null); }}>
          <div className="context-menu" style={{ left: menu.x, top: menu.y }} role="menu" data-testid="conversation-menu">
            <button role="menuitem" onClick={() => onPopOut(menu.item.id)}>
              {t('menu.openInWindow')}
            </button>
            <button role="menuitem" onClick={() => void vm.togglePinned(menu.item.id)}>
              {menu.item.pinned ? t('list.unpin') : t('list.pin')}
            </button>
            <button role="menuitem" onClick={() => void vm.toggleMuted(menu.item.id)}>
              {menu.item.muted ? (<><BellIcon size={14} /> {t('list.unmute')}</>) : (<><MuteIcon size={14} /> {t('list.mute')}</>)}
            </button>
            {/* Locking more needs no code; unlocking is done in Me → Password lock. */}
            {onLockChat && lock?.has_code && menu.item.type !== 'system' && !isLocked(menu.item.id) && (
              <button role="menuitem" onClick={() => { onLockChat(menu.item.id, true); setMenu(null); }} data-testid="menu-lock-chat">
                {t('lock.lockChat')}
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
