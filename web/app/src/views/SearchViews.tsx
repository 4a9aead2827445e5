/**
 * Search's screens (B7, issue 15; decision 0073), a chunk of their own (screens.tsx): the
 * search box's sections under the box, every message result with filters, and the bar that
 * searches inside one chat. Snippets render as text nodes with the hits in <mark>, never as
 * HTML: messages are untrusted.
 */
import { useEffect, useRef } from 'react';
import type { SearchKind, SnippetPart } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import type { SearchTranslate, SearchWord } from '../i18n/searchWords';
import type { MessageResultItem, MessageResultsViewModel } from '../viewmodels/MessageResultsViewModel';
import type { SearchRow, SearchTarget, SearchViewModel, SectionName } from '../viewmodels/SearchViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { BackIcon, CloseIcon, FileIcon, GroupIcon, SearchIcon } from './Icons';
import './search.css';

const SECTION_TITLES: Record<SectionName, SearchWord> = {
  people: 'people',
  groups: 'groups',
  conversations: 'conversations',
  messages: 'messages',
  files: 'files',
};

export function Snippet({ parts }: { parts: readonly SnippetPart[] }) {
  return (
    <>
      {parts.map((part, i) =>
        part.hit ? (
          <mark key={i} className="search-hit">
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}

function RowAvatar({ row }: { row: SearchRow }) {
  const avatar = row.avatar;
  if (avatar.kind === 'person') return <Avatar id={avatar.id} name={row.title} size={36} user />;
  if (avatar.kind === 'group' || avatar.kind === 'chat') return <Avatar id={avatar.id} name={row.title} size={36} emoji={avatar.emoji ?? null} kind={avatar.kind === 'group' ? 'group' : 'person'} />;
  return <span className="search-icon-avatar">{avatar.kind === 'file' ? <FileIcon size={20} /> : <GroupIcon size={20} />}</span>;
}

/** Under the search box, in place of the conversation list, while it holds text. */
export function SearchResults({ vm, t, onOpen }: { vm: SearchViewModel; t: Translate; onOpen(target: SearchTarget): void }) {
  const { query, sections, active, empty, error, w } = useViewModel(vm);
  const activeRef = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    activeRef.current?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  if (!query.trim()) return null;
  return (
    <div className="search-results" data-testid="search-results" role="listbox" aria-label={t('list.search')}>
      {error && <p className="search-error" role="alert">{error}</p>}
      {empty && (
        <p className="search-empty" data-testid="search-empty">
          {w('nothing', { query: query.trim() })}
        </p>
      )}
      {sections.map((section) => (
        <section key={section.name} className="search-section" data-testid={`search-section-${section.name}`} aria-label={w(SECTION_TITLES[section.name])}>
          <h3 className="search-section-title">{w(SECTION_TITLES[section.name])}</h3>
          {section.rows.length === 0 && section.loading && <p className="search-loading">{w('searching')}</p>}
          <ul>
            {section.rows.map((row) => (
              <li key={row.key}>
                <button
                  ref={row.key === active ? activeRef : undefined}
                  className={`search-row${row.key === active ? ' active' : ''}`}
                  role="option"
                  aria-selected={row.key === active}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => onOpen(row.target)}
                  data-testid="search-row"
                  data-key={row.key}
                >
                  <RowAvatar row={row} />
                  <span className="search-row-main">
                    <span className="search-row-top">
                      <span className="search-row-title">{row.parts && row.avatar.kind === 'file' ? <Snippet parts={row.parts} /> : <Highlighted text={row.title} query={query} />}</span>
                      {row.time && <span className="search-row-time">{row.time}</span>}
                    </span>
                    {(row.detail || (row.parts && row.avatar.kind !== 'file')) && (
                      <span className="search-row-detail">{row.parts && row.avatar.kind !== 'file' ? <Snippet parts={row.parts} /> : <Highlighted text={row.detail} query={query} />}</span>
                    )}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {section.more && (
            <button className="search-more" onMouseDown={(e) => e.preventDefault()} onClick={() => section.more && onOpen(section.more)} data-testid="search-more">
              <SearchIcon size={14} /> {w('more')}
            </button>
          )}
        </section>
      ))}
      <p className="search-hint">{w('hint')}</p>
    </div>
  );
}

/** A name with what was typed marked (matched here, case-insensitively). */
function Highlighted({ text, query }: { text: string; query: string }) {
  const needle = query.trim().toLowerCase();
  const at = needle ? text.toLowerCase().indexOf(needle) : -1;
  if (at < 0) return <>{text}</>;
  return <Snippet parts={[{ text: text.slice(0, at), hit: false }, { text: text.slice(at, at + needle.length), hit: true }, { text: text.slice(at + needle.length), hit: false }].filter((p) => p.text)} />;
}

const KINDS: { kind: SearchKind | null; label: SearchWord }[] = [
  { kind: null, label: 'kindAll' },
  { kind: 'text', label: 'kindText' },
  { kind: 'file', label: 'kindFile' },
  { kind: 'image', label: 'kindImage' },
  { kind: 'link', label: 'kindLink' },
];

function ResultRow({ item, w, current, onOpen }: { item: MessageResultItem; w: SearchTranslate; current: boolean; onOpen(): void }) {
  return (
    <li>
      <button className={`message-result${current ? ' active' : ''}`} onClick={onOpen} data-testid="message-result" data-conversation-id={item.conversationId} data-seq={item.seq}>
        <span className="message-result-top">
          <span className="message-result-where">{item.conversation}</span>
          <span className="message-result-time">{item.time}</span>
        </span>
        <span className="message-result-text">
          {item.sender && <span className="message-result-sender">{item.sender}: </span>}
          <Snippet parts={item.parts} />
        </span>
        {item.type !== 'text' && <span className="message-result-type">{w(kindLabel(item.type))}</span>}
      </button>
    </li>
  );
}

function kindLabel(type: string): SearchWord {
  if (type === 'image') return 'kindImage';
  if (type === 'file') return 'kindFile';
  return 'kindText';
}

/** The keys of a list of results: up and down (Home, End) move among them, Escape leaves.
 * Focus scrolls the list, which loads the next page near its end. */
function moveAmongResults(e: React.KeyboardEvent<HTMLUListElement>, onClose: () => void) {
  if (e.key === 'Escape') {
    e.preventDefault();
    onClose();
    return;
  }
  const buttons = Array.from(e.currentTarget.querySelectorAll<HTMLButtonElement>('button.message-result'));
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[e.key];
  if (to === undefined || at < 0) return;
  e.preventDefault();
  buttons[Math.max(0, Math.min(buttons.length - 1, to))]?.focus();
}

/** Every message result of a search, with filters; where a chat shows. */
export function MessageResults({ vm, t, onOpen, onClose }: { vm: MessageResultsViewModel; t: Translate; onOpen(item: MessageResultItem): void; onClose(): void }) {
  const state = useViewModel(vm);
  const { filters, w } = state;
  const list = useRef<HTMLDivElement | null>(null);
  // Infinite scroll: near the end of the list (or a list too short to scroll), the next page.
  const nearEnd = () => {
    const element = list.current;
    if (element && element.scrollHeight - element.scrollTop - element.clientHeight < 200) void vm.loadMore();
  };
  useEffect(nearEnd, [vm, state.items.length]);
  return (
    <section className="chat-pane message-results" data-testid="message-results" aria-label={w('results', { query: state.query })}>
      <header className="chat-header">
        <button className="icon-button back-button" onClick={onClose} aria-label={w('back')} data-testid="message-results-back">
          <BackIcon />
        </button>
        <div className="chat-title">
          <h2>{w('results', { query: state.query })}</h2>
        </div>
        <div className="chat-actions">
          <button className="icon-button" onClick={onClose} aria-label={w('close')} title={w('close')} data-testid="message-results-close">
            <CloseIcon />
          </button>
        </div>
      </header>
      <div className="message-filters" data-testid="message-filters">
        <label>
          <span>{w('filterConversation')}</span>
          <select
            value={filters.conversationId ?? ''}
            onChange={(e) => vm.setFilters({ conversationId: e.target.value ? Number(e.target.value) : null })}
            data-testid="filter-conversation"
          >
            <option value="">{w('allChats')}</option>
            {state.conversations.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{w('filterSender')}</span>
          <select value={filters.senderId ?? ''} onChange={(e) => vm.setFilters({ senderId: e.target.value ? Number(e.target.value) : null })} data-testid="filter-sender">
            <option value="">{w('anyone')}</option>
            {state.senders.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{w('from')}</span>
          <input type="date" value={filters.from} onChange={(e) => vm.setFilters({ from: e.target.value })} data-testid="filter-from" />
        </label>
        <label>
          <span>{w('to')}</span>
          <input type="date" value={filters.to} onChange={(e) => vm.setFilters({ to: e.target.value })} data-testid="filter-to" />
        </label>
        <div className="filter-kinds" role="radiogroup" aria-label={w('filterType')}>
          {KINDS.map(({ kind, label }) => (
            <button
              key={label}
              role="radio"
              aria-checked={filters.kind === kind}
              className={`chip${filters.kind === kind ? ' active' : ''}`}
              onClick={() => vm.setFilters({ kind })}
              data-testid={`filter-kind-${kind ?? 'all'}`}
            >
              {w(label)}
            </button>
          ))}
        </div>
      </div>
      <div className="message-results-list" ref={list} onScroll={nearEnd}>
        {state.error && <p className="search-error" role="alert">{state.error}</p>}
        <ul data-testid="message-result-list" data-count={state.items.length} onKeyDown={(e) => moveAmongResults(e, onClose)}>
          {state.items.map((item) => (
            <ResultRow key={item.key} item={item} w={w} current={false} onOpen={() => onOpen(item)} />
          ))}
        </ul>
        <div className="message-results-end">
          {state.loading ? (
            w('searching')
          ) : state.more ? (
            <button className="search-more" onClick={() => void vm.loadMore()} data-testid="results-load-more">
              {w('loadMore')}
            </button>
          ) : state.done ? (
            <span data-testid="results-end">{state.items.length === 0 ? w('nothing', { query: state.query }) : w('end')}</span>
          ) : null}
        </div>
      </div>
    </section>
  );
}

/** The bar under a chat's header: search this conversation, step through its hits. */
export function InChatSearch({ vm, t, onJump, onClose }: { vm: MessageResultsViewModel; t: Translate; onJump(seq: number, query: string): void; onClose(): void }) {
  const state = useViewModel(vm);
  const { w } = state;
  const input = useRef<HTMLInputElement | null>(null);
  useEffect(() => input.current?.focus(), []);
  const step = (delta: number) => {
    void vm.step(delta).then((item) => item && onJump(item.seq, vm.getSnapshot().query));
  };
  const count = state.items.length;
  return (
    <div className="in-chat-search" data-testid="chat-search">
      <div className="in-chat-search-bar">
        <label className="search">
          <SearchIcon size={16} />
          <input
            ref={input}
            value={state.query}
            placeholder={w('inChatPlaceholder')}
            aria-label={t('search.inChat')}
            onChange={(e) => vm.type(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === 'ArrowUp') {
                e.preventDefault();
                step(e.shiftKey ? -1 : 1);
              } else if (e.key === 'ArrowDown') {
                e.preventDefault();
                step(-1);
              } else if (e.key === 'Escape') {
                e.preventDefault();
                onClose();
              }
            }}
            data-testid="chat-search-input"
          />
        </label>
        <span className="in-chat-count" data-testid="chat-search-count">
          {state.loading && count === 0 ? w('searching') : state.done && count === 0 ? w('noMatches') : count > 0 ? `${state.current === null ? 0 : state.current + 1}/${count}${state.more ? '+' : ''}` : ''}
        </span>
        <button className="icon-button" onClick={() => step(1)} disabled={count === 0} title={w('older')} aria-label={w('older')} data-testid="chat-search-older">
          ↑
        </button>
        <button className="icon-button" onClick={() => step(-1)} disabled={count === 0} title={w('newer')} aria-label={w('newer')} data-testid="chat-search-newer">
          ↓
        </button>
        <button className="icon-button" onClick={onClose} title={w('close')} aria-label={w('close')} data-testid="chat-search-close">
          <CloseIcon size={16} />
        </button>
      </div>
      {count > 0 && state.current === null && (
        <ul className="in-chat-results" data-testid="chat-search-results">
          {state.items.map((item, i) => (
            <li key={item.key}>
              <button
                className={`in-chat-result${state.current === i ? ' active' : ''}`}
                onClick={() => {
                  vm.choose(i);
                  onJump(item.seq, state.query);
                }}
                data-testid="chat-search-result"
                data-seq={item.seq}
              >
                <span className="message-result-sender">{item.sender}</span>
                <span className="in-chat-result-text">
                  <Snippet parts={item.parts} />
                </span>
                <span className="message-result-time">{item.time}</span>
              </button>
            </li>
          ))}
          {state.more && (
            <li>
              <button className="search-more" onClick={() => void vm.loadMore()} data-testid="chat-search-more">
                {w('loadMore')}
              </button>
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
