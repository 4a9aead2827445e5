/**
 * Customer-service agents (客服坐席, PRODUCT.md J4, decision 0066): who serves the visitors of
 * the web-site chat. The list shows who is on duty (connected now) and how many chats each
 * holds, and how many visitors wait; people are added from the user search and removed here.
 * Each change saves the whole list (`PUT /admin/service/agents`, audited); someone removed
 * keeps the chats they hold until they close or transfer them.
 */
import { useCallback, useEffect, useState } from 'react';
import type { PageProps } from '../pages';
import { Badge, ConfirmButton, EmptyState, SearchBox, Table, Toolbar, useToast } from '../ui';
import { refusal, type UserPage } from './people';
import './ServiceAgentsPage.css';

interface Agent {
  user_id: number;
  account: string;
  nickname: string;
  avatar: string;
  disabled: boolean;
  online: boolean;
  open_chats: number;
}

interface AgentsView {
  agents: Agent[];
  waiting: number;
}

export default function ServiceAgentsPage({ api, t }: PageProps) {
  const toast = useToast();
  const [view, setView] = useState<AgentsView | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    try {
      setView(await api.get<AgentsView>('service/agents'));
    } catch (error) {
      toast(refusal(error, t), 'bad');
    }
  }, [api, t, toast]);
  useEffect(() => void load(), [load]);

  const save = async (ids: number[], done: string) => {
    setBusy(true);
    try {
      setView(await api.put<AgentsView>('service/agents', { user_ids: ids }));
      toast(done);
    } catch (error) {
      toast(refusal(error, t), 'bad');
    } finally {
      setBusy(false);
    }
  };
  const agents = view?.agents ?? [];
  const ids = agents.map((a) => a.user_id);
  const onDuty = agents.filter((a) => a.online).length;

  return (
    <section className="adm-service" data-testid="service-agents-page">
      <Toolbar>
        <span data-testid="service-summary">
          {view === null
            ? t('Loading…', '加载中…')
            : t(
                `${agents.length} agent(s), ${onDuty} on duty · ${view.waiting} visitor(s) waiting`,
                `坐席 ${agents.length} 人，在线 ${onDuty} 人 · 排队访客 ${view.waiting} 人`,
              )}
        </span>
        <button type="button" className="adm-button" onClick={() => void load()} data-testid="service-refresh">
          {t('Refresh', '刷新')}
        </button>
      </Toolbar>
      <AddAgent {...{ api, t }} chosen={new Set(ids)} busy={busy} onAdd={(id, name) => void save([...ids, id], t(`${name} is an agent now`, `已将 ${name} 设为坐席`))} />
      <Table
        columns={[
          { key: 'name', title: t('Name', '姓名'), render: (a) => a.nickname },
          { key: 'account', title: t('Account', '账号'), render: (a) => a.account },
          {
            key: 'duty',
            title: t('On duty', '在线'),
            narrow: true,
            render: (a) =>
              a.disabled ? (
                <Badge tone="bad">{t('Frozen', '已冻结')}</Badge>
              ) : a.online ? (
                <Badge tone="good">{t('On duty', '在线')}</Badge>
              ) : (
                <Badge>{t('Away', '离线')}</Badge>
              ),
          },
          { key: 'chats', title: t('Open chats', '接待中'), narrow: true, render: (a) => String(a.open_chats) },
          {
            key: 'remove',
            title: '',
            narrow: true,
            render: (a) => (
              <ConfirmButton
                danger
                disabled={busy}
                label={t('Remove', '移除')}
                confirm={a.open_chats > 0 ? t(`Remove (keeps ${a.open_chats} chat(s) until closed)`, `移除（${a.open_chats} 个会话保留至结束）`) : t('Remove the agent', '确认移除')}
                cancel={t('Cancel', '取消')}
                onConfirm={() => save(ids.filter((id) => id !== a.user_id), t(`${a.nickname} is no agent any more`, `已移除坐席 ${a.nickname}`))}
              />
            ),
          },
        ]}
        rows={agents}
        rowKey={(a) => a.user_id}
        empty={<EmptyState>{view === null ? t('Loading…', '加载中…') : t('No agent yet: add people who answer the web site’s visitors.', '还没有坐席：添加负责接待网站访客的人员。')}</EmptyState>}
      />
    </section>
  );
}

/** Find people by name or account and make one an agent. */
function AddAgent({ api, t, chosen, busy, onAdd }: Pick<PageProps, 'api' | 't'> & { chosen: ReadonlySet<number>; busy: boolean; onAdd: (id: number, name: string) => void }) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<UserPage['users'] | null>(null);
  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setFound(null);
      return;
    }
    let current = true;
    api.get<UserPage>('users', { q, limit: 10 }).then(
      (page) => current && setFound(page.users),
      () => current && setFound([]),
    );
    return () => {
      current = false;
    };
  }, [api, query]);
  return (
    <div className="adm-service-add">
      <SearchBox value={query} onSearch={setQuery} placeholder={t('Add an agent: find people by name or account', '添加坐席：按姓名或账号查找')} />
      {found !== null && (
        <ul className="adm-service-results" data-testid="service-results">
          {found.length === 0 && <li className="adm-muted">{t('Nobody found.', '没有找到。')}</li>}
          {found.map((u) => (
            <li key={u.id}>
              <span>
                {u.nickname} <span className="adm-muted">({u.account})</span>
              </span>
              {chosen.has(u.id) ? (
                <Badge>{t('Agent', '已是坐席')}</Badge>
              ) : u.status === 'frozen' ? (
                <Badge tone="bad">{t('Frozen', '已冻结')}</Badge>
              ) : (
                <button type="button" className="adm-button" disabled={busy} onClick={() => onAdd(u.id, u.nickname)}>
                  {t('Add', '添加')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
