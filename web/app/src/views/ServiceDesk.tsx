/**
 * Customer service for agents (decision 0066): waiting visitors with Take, the agent's own
 * chats, and the chosen chat's visitor, page and earlier visits, with Transfer and Close.
 */
import { useState } from 'react';
import type { ServiceChat } from '@tidings/sdk';
import type { Translate } from '../i18n/i18n';
import { visitorName } from '../lib/format';
import type { ServiceDeskViewModel } from '../viewmodels/ServiceDeskViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import './service-desk.css';

function safeLink(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function previewOf(chat: ServiceChat, t: Translate): string {
  const p = chat.preview;
  if (!p || p.kind !== 'message') return '';
  if (p.type === 'text') return String((p.body as { text?: string }).text ?? '');
  if (p.type === 'custom_card') return `${t('service.card')} ${String((p.body as { title?: string }).title ?? '')}`;
  return '';
}

function time(ms: number | null | undefined): string {
  return ms ? new Date(ms).toLocaleString() : '';
}

export function ServiceDesk({ vm, t }: { vm: ServiceDeskViewModel; t: Translate }) {
  const state = useViewModel(vm);
  const [target, setTarget] = useState<number | null>(null);
  const selected = state.selected;
  const item = (chat: ServiceChat, waiting: boolean) => (
    <li key={chat.conversation_id} className={`service-item${selected?.conversation_id === chat.conversation_id ? ' active' : ''}`} data-testid="service-item" data-conversation-id={chat.conversation_id}>
      <button className="service-item-main" onClick={() => void vm.select(chat.conversation_id)}>
        <span className="service-visitor">{visitorName(chat.visitor.nickname, t)}</span>
        {chat.page && <span className="service-page-title">{chat.page.title || chat.page.url}</span>}
        <span className="service-preview">{previewOf(chat, t)}</span>
      </button>
      {waiting ? (
        <button className="primary" disabled={state.busy} onClick={() => void vm.take(chat.conversation_id)} data-testid="service-take">{t('service.take')}</button>
      ) : (
        <button className="link-button" onClick={() => vm.open(chat.conversation_id)} data-testid="service-open">{t('service.open')}</button>
      )}
    </li>
  );
  const others = state.agents.filter((a) => a.user_id !== selected?.agent_id);
  return (
    <section className="service-desk" data-testid="service-desk">
      <div className="service-lists">
        <h2>{t('service.title')}</h2>
        {state.notice && <p className="form-error" role="alert">{state.notice}</p>}
        <h3>{t('service.waiting', { count: state.waiting.length })}</h3>
        {state.waiting.length === 0 ? <p className="muted">{t('service.noneWaiting')}</p> : <ul className="service-list" data-testid="service-waiting">{state.waiting.map((c) => item(c, true))}</ul>}
        <h3>{t('service.mine', { count: state.mine.length })}</h3>
        {state.mine.length === 0 ? <p className="muted">{t('service.noneMine')}</p> : <ul className="service-list" data-testid="service-mine">{state.mine.map((c) => item(c, false))}</ul>}
      </div>
      <div className="service-details" data-testid="service-details">
        {selected ? (
          <>
            <h2>{visitorName(selected.visitor.nickname, t)}</h2>
            <dl className="service-facts">
              <dt>{t('service.state')}</dt>
              <dd data-testid="service-state">{t(`service.state.${selected.state}`)}</dd>
              {selected.visitor.external_id && (<><dt>{t('service.customerId')}</dt><dd>{selected.visitor.external_id}</dd></>)}
              {selected.page && (
                <>
                  <dt>{t('service.page')}</dt>
                  <dd data-testid="service-page">
                    {safeLink(selected.page.url) ? <a href={safeLink(selected.page.url)!} target="_blank" rel="noopener noreferrer">{selected.page.title || selected.page.url}</a> : selected.page.title}
                    <div className="muted service-url">{selected.page.url}</div>
                  </dd>
                </>
              )}
            </dl>
            {selected.state === 'taken' && selected.agent_id !== null && state.mine.some((c) => c.conversation_id === selected.conversation_id) && (
              <div className="service-actions">
                <button className="primary" onClick={() => vm.open(selected.conversation_id)}>{t('service.open')}</button>
                <select aria-label={t('service.transferTo')} value={target ?? ''} onChange={(e) => setTarget(e.target.value ? Number(e.target.value) : null)} data-testid="service-transfer-target">
                  <option value="">{t('service.transferTo')}</option>
                  {others.map((a) => <option key={a.user_id} value={a.user_id}>{a.nickname}</option>)}
                </select>
                <button disabled={target === null || state.busy} onClick={() => target !== null && void vm.transfer(selected.conversation_id, target)} data-testid="service-transfer">{t('service.transfer')}</button>
                <button className="danger-button" disabled={state.busy} onClick={() => void vm.close(selected.conversation_id)} data-testid="service-close">{t('service.close')}</button>
              </div>
            )}
            <h3>{t('service.visits')}</h3>
            <ul className="service-cases" data-testid="service-cases">
              {selected.cases.map((c) => (
                <li key={c.id}>
                  <span>{time(c.opened_at)}</span>
                  <span className="muted">{c.page ? c.page.title || c.page.url : ''}</span>
                  <span>{c.agent_name ? t('service.servedBy', { name: c.agent_name }) : t('service.state.waiting')}</span>
                  {c.closed_at && <span className="muted">{t('service.closedAt', { time: time(c.closed_at) })}</span>}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="muted">{t('service.choose')}</p>
        )}
      </div>
    </section>
  );
}
