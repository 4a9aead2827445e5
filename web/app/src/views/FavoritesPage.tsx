/**
 * The favourites page (收藏): the saved messages with kind filters and a search, each
 * rendered with the chat's media components; open, send to a chat, remove.
 */
import { useEffect } from 'react';
import type { Translate } from '../i18n/i18n';
import { FAVORITE_CATEGORIES, type FavoriteRow, type FavoritesPageViewModel } from '../viewmodels/FavoritesPageViewModel';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';
import { SearchIcon } from './Icons';
import { MessageMedia } from './Media';
import './chat-record.css';

export function FavoritesPage({ vm, workspace, t }: { vm: FavoritesPageViewModel; workspace: WorkspaceViewModel; t: Translate }) {
  const state = useViewModel(vm);
  useEffect(() => {
    if (!state.notice) return;
    const timer = setTimeout(() => vm.clearNotice(), 2500);
    return () => clearTimeout(timer);
  }, [vm, state.notice]);
  const filtered = state.category !== null || state.query.trim() !== '';
  return (
    <section className="favorites-page" data-testid="favorites-page" aria-label={t('favs.title')}>
      <header className="favorites-header">
        <h2>{t('favs.title')}</h2>
        <label className="search">
          <SearchIcon size={16} />
          <input type="search" placeholder={t('favs.search')} aria-label={t('favs.search')} value={state.query} onChange={(e) => vm.search(e.target.value)} data-testid="favorites-search" />
        </label>
      </header>
      <div className="favorites-filters" role="tablist" aria-label={t('favs.title')}>
        <button role="tab" aria-selected={state.category === null} className={state.category === null ? 'active' : ''} onClick={() => vm.setCategory(null)} data-testid="favorites-filter-all">
          {t('favs.all')}
        </button>
        {FAVORITE_CATEGORIES.map((category) => (
          <button key={category} role="tab" aria-selected={state.category === category} className={state.category === category ? 'active' : ''} onClick={() => vm.setCategory(category)} data-testid={`favorites-filter-${category}`}>
            {t(`favs.cat.${category}`)}
          </button>
        ))}
      </div>
      <ul className="favorites-list" data-testid="favorites-list">
        {!state.loading && state.rows.length === 0 && <li className="favorites-empty muted">{filtered ? t('favs.nothingFound') : t('favs.empty')}</li>}
        {state.rows.map((row) => (
          <FavoriteItem key={row.id} row={row} vm={vm} workspace={workspace} t={t} />
        ))}
        {state.more && (
          <li className="favorites-more">
            <button className="link-button" onClick={() => void vm.loadMore()} data-testid="favorites-more">{t('favs.loadMore')}</button>
          </li>
        )}
      </ul>
      {state.notice && <div className="toast" role="status" data-testid="favorites-notice">{state.notice}</div>}
    </section>
  );
}

function FavoriteItem({ row, vm, workspace, t }: { row: FavoriteRow; vm: FavoritesPageViewModel; workspace: WorkspaceViewModel; t: Translate }) {
  return (
    <li className="favorite-item" data-testid="favorite-item" data-type={row.type} data-id={row.id}>
      <div className="favorite-head">
        <Avatar id={row.senderId} name={row.sender} size={24} />
        <span className="favorite-sender">{t('favs.from', { name: row.sender })}</span>
        <span className="muted small">{row.saved}</span>
      </div>
      {row.text && (
        <button className="favorite-text" onClick={() => workspace.openFavorite(row.id)} data-testid="favorite-text">
          {row.text}
        </button>
      )}
      {row.media && (
        <div className="favorite-media">
          <MessageMedia
            media={row.media}
            upload={null}
            links={workspace.links}
            t={t}
            clientMsgId={null}
            onOpenImage={(fileId, name) => void workspace.openImage(fileId, name)}
            onPause={() => undefined}
            onResume={() => undefined}
            onProfile={(id) => workspace.openProfile(id)}
            onMessage={(id) => void workspace.messagePerson(id)}
            onOpenRecord={() => workspace.openFavorite(row.id)}
          />
        </div>
      )}
      <div className="favorite-actions">
        <button className="link-button" onClick={() => workspace.openFavorite(row.id)} data-testid="favorite-open">{t('favs.open')}</button>
        {/* Only the system posts notices: a saved one is kept, not sent on. */}
        {row.type !== 'notice' && <button className="link-button" onClick={() => void workspace.sendFavorite(row.id)} data-testid="favorite-send">{t('favs.send')}</button>}
        <button className="link-button danger" onClick={() => void vm.remove(row.id)} data-testid="favorite-remove">{t('favs.remove')}</button>
      </div>
    </li>
  );
}
