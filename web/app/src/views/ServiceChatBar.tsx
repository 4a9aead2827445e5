/**
 * Under a customer-service chat's header, for its agent (decision 0066): the customer's id
 * and the page they are on, and — while the agent holds the chat —
 * Transfer and Close, where the conversation is.
 */
import { useState } from 'react';
import type { Translate } from '../i18n/i18n';
import { safeWebUrl } from '../lib/media';
import type { ChatViewModel } from '../viewmodels/ChatViewModel';
import { ServiceChatViewModel } from '../viewmodels/ServiceChatViewModel';
import { useViewModel } from '../viewmodels/useViewModel';

/** The bar of a chat that is a customer-service one (loaded with this chunk: screens.tsx). */
export function ServiceChatBarOf({ chat, t }: { chat: ChatViewModel; t: Translate }) {
  const vm = chat.service(ServiceChatViewModel);
  return vm ? <ServiceChatBar vm={vm} t={t} /> : null;
}

export function ServiceChatBar({ vm, t }: { vm: ServiceChatViewModel; t: Translate }) {
  const state = useViewModel(vm);
  const [target, setTarget] = useState<number | null>(null);
  if (state.state === null) return null;
  const link = state.page ? safeWebUrl(state.page.url) : null;
  return (
    <div className="service-chat-bar" data-testid="service-chat-bar" data-state={state.state}>
      {state.state !== 'taken' && <span className="tag service-chat-tag">{t(`service.state.${state.state}`)}</span>}
      {state.customerId && (
        <span className="service-chat-fact" data-testid="service-chat-customer-id">
          {t('service.customerId')}: {state.customerId}
        </span>
      )}
      {state.page && (
        <span className="service-chat-fact service-chat-page" data-testid="service-chat-page" title={state.page.url}>
          {t('service.page')}: {link ? <a href={link} target="_blank" rel="noopener noreferrer">{state.page.title || state.page.url}</a> : state.page.title || state.page.url}
        </span>
      )}
      {state.mine && (
        <span className="service-chat-actions">
          <select aria-label={t('service.transferTo')} value={target ?? ''} onChange={(e) => setTarget(e.target.value ? Number(e.target.value) : null)} data-testid="service-chat-transfer-target">
            <option value="">{t('service.transferTo')}</option>
            {state.agents.map((a) => (
              <option key={a.user_id} value={a.user_id}>
                {a.nickname}
              </option>
            ))}
          </select>
          <button disabled={target === null || state.busy} onClick={() => target !== null && void vm.transfer(target)} data-testid="service-chat-transfer">
            {t('service.transfer')}
          </button>
          <button className="danger-button" disabled={state.busy} onClick={() => void vm.close()} data-testid="service-chat-close">
            {t('service.close')}
          </button>
        </span>
      )}
      {state.notice && (
        <span className="form-error" role="alert">
          {state.notice}
        </span>
      )}
    </div>
  );
}
