/** The account switcher (PRODUCT.md A8): the rail's menu and the settings card list the same accounts. */
import { useEffect, useState } from 'react';
import type { Translate } from '../i18n/i18n';
import type { AccountSummary, SessionViewModel } from '../viewmodels/SessionViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';

function AccountRow({ account, t, onChoose }: { account: AccountSummary; t: Translate; onChoose(): void }) {
  const { user } = account;
  return (
    <button
      type="button"
      role="menuitemradio"
      aria-checked={account.active}
      className={`account-row${account.active ? ' active' : ''}`}
      onClick={onChoose}
      data-testid="account-row"
      data-account={user.account}
    >
      <span className="account-row-avatar">
        <Avatar id={user.id} name={user.nickname} size={34} user />
        {account.unread > 0 && !account.active && (
          <span className="badge" data-testid="account-unread">
            {account.unread > 99 ? '99+' : account.unread}
          </span>
        )}
      </span>
      <span className="account-row-text">
        <span className="account-row-name">{user.nickname}</span>
        <span className="account-row-sub">
          {account.notice === 'signed_in_elsewhere'
            ? t('accounts.signedInElsewhere')
            : account.notice === 'password_changed'
              ? t('accounts.passwordChanged')
              : account.notice === 'account_frozen'
              ? t('accounts.accountFrozen')
              : account.notice
                ? t('accounts.signedOut')
              : user.account}
        </span>
      </span>
      {account.active && <span className="account-row-check" aria-hidden="true">✓</span>}
    </button>
  );
}

/** Every account, the one shown ticked; another one is a click away. */
function AccountList({ session, t, onDone }: { session: SessionViewModel; t: Translate; onDone?(): void }) {
  const state = useViewModel(session);
  const accounts = state.screen === 'restoring' ? [] : state.accounts;
  return (
    <div className="account-list" role="menu" data-testid="account-list">
      {accounts.map((account) => (
        <AccountRow
          key={account.user.id}
          account={account}
          t={t}
          onChoose={() => {
            onDone?.();
            session.switchTo(account.user.id);
          }}
        />
      ))}
      <button
        type="button"
        role="menuitem"
        className="account-row add"
        onClick={() => {
          onDone?.();
          session.addAccount();
        }}
        data-testid="add-account"
      >
        <span className="account-add-icon" aria-hidden="true">+</span>
        <span className="account-row-name">{t('accounts.add')}</span>
      </button>
    </div>
  );
}

/** The rail's avatar: opens the account switcher. */
export function AccountMenu({ session, t, children, otherUnread, onOpenMe }: { session: SessionViewModel; t: Translate; children: React.ReactNode; otherUnread: number; onOpenMe?(): void }) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    const close = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [open]);
  return (
    <div className="rail-me">
      <button type="button" className="rail-me-button" onClick={() => setOpen(!open)} aria-haspopup="menu" aria-expanded={open} title={t('accounts.switch')} data-testid="account-menu-button">
        {children}
        {otherUnread > 0 && <span className="badge dot" data-testid="other-accounts-unread" />}
      </button>
      {open && (
        <>
          <div className="menu-backdrop" onClick={() => setOpen(false)} />
          <div className="account-menu" data-testid="account-menu">
            {onOpenMe && (
              <button type="button" role="menuitem" className="account-row menu-me" onClick={() => { setOpen(false); onOpenMe(); }} data-testid="menu-open-me">
                <span className="account-row-name">{t('me.openFromMenu')}</span>
              </button>
            )}
            <div className="menu-title">{t('accounts.title')}</div>
            <AccountList session={session} t={t} onDone={() => setOpen(false)} />
          </div>
        </>
      )}
    </div>
  );
}

/** Settings: the accounts on this device (the way to switch on a phone, where the rail has no avatar). */
export function AccountsCard({ session, t }: { session: SessionViewModel; t: Translate }) {
  return (
    <div className="settings-card accounts-card" data-testid="accounts-card">
      <AccountList session={session} t={t} />
    </div>
  );
}
