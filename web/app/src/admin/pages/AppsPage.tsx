/**
 * Apps (PRODUCT.md J1, decision 0065): the company's systems that use the app API. Register
 * one (its scopes explained), see its secret once, change it, rotate its secret, revoke it.
 */
import { useCallback, useEffect, useState } from 'react';
import type { PageProps } from '../pages';
import { Badge, ConfirmButton, Dialog, EmptyState, Field, Table, Toolbar, formatTime, useToast } from '../ui';
import { refusal } from './people';

export interface RegisteredApp {
  id: number;
  name: string;
  description: string;
  client_id: string;
  scopes: string[];
  status: 'active' | 'revoked';
  created_at: number;
  secret_rotated_at: number;
}

type T = PageProps['t'];

/** Every scope (tidings.domain.apps.AppScope) and what it lets an app do. */
const SCOPES: [string, string, string][] = [
  ['users:read', 'Read users and the organization, resolve external ids', '读取用户与组织架构，解析外部 ID'],
  ['users:write', 'Create, update and disable users; sync profiles', '创建、修改、停用用户；同步资料'],
  ['org:write', 'Sync the organization tree', '同步组织架构'],
  ['messages:send', 'Send messages as a user or as the app’s bot', '以用户或应用机器人身份发消息'],
  ['conversations:write', 'Open direct chats and groups for users', '为用户创建单聊和群聊'],
  ['presence:read', 'See who is online', '查询在线状态'],
  ['notices:send', 'Send system notices', '发送系统通知'],
  ['webhooks', 'Subscribe to events (in the bot’s conversations)', '订阅事件（机器人所在会话）'],
  ['events:all', 'Events of every conversation', '所有会话的事件'],
  ['sso', 'One-time sign-in tickets for users', '为用户签发一次性登录票据'],
  ['service', 'Identified visitors of the customer-service widget', '客服插件的实名访客'],
  ['workbench', 'Exchange workbench tickets for who the user is', '用工作台票据换取用户身份'],
];

export default function AppsPage({ api, t, lang }: PageProps) {
  const toast = useToast();
  const [apps, setApps] = useState<RegisteredApp[] | null>(null);
  const [editing, setEditing] = useState<RegisteredApp | 'new' | null>(null);
  const [secret, setSecret] = useState<{ app: RegisteredApp; secret: string } | null>(null);
  const load = useCallback(async () => {
    try {
      setApps((await api.get<{ apps: RegisteredApp[] }>('apps')).apps);
    } catch (error) {
      toast(refusal(error, t), 'bad');
    }
  }, [api, t, toast]);
  useEffect(() => void load(), [load]);

  return (
    <section className="adm-apps" data-testid="apps-page">
      <Toolbar>
        <button type="button" className="adm-button primary" onClick={() => setEditing('new')} data-testid="app-register">
          {t('Register an app', '注册应用')}
        </button>
      </Toolbar>
      <Table
        columns={[
          { key: 'name', title: t('Name', '名称'), render: (a) => a.name },
          { key: 'client', title: t('Client id', 'Client ID'), render: (a) => <code>{a.client_id}</code> },
          { key: 'scopes', title: t('Scopes', '权限范围'), render: (a) => a.scopes.join(' ') || '—' },
          {
            key: 'status',
            title: t('Status', '状态'),
            narrow: true,
            render: (a) => (a.status === 'active' ? <Badge tone="good">{t('Active', '正常')}</Badge> : <Badge tone="bad">{t('Revoked', '已吊销')}</Badge>),
          },
          { key: 'created', title: t('Registered', '注册时间'), narrow: true, render: (a) => formatTime(a.created_at, lang) },
        ]}
        rows={apps ?? []}
        rowKey={(a) => a.id}
        onRowClick={(a) => setEditing(a)}
        empty={<EmptyState>{apps === null ? t('Loading…', '加载中…') : t('No app is registered yet.', '还没有注册应用。')}</EmptyState>}
      />
      {editing !== null && (
        <AppDialog
          key={editing === 'new' ? 'new' : editing.id}
          {...{ api, t, lang }}
          app={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(app, newSecret) => {
            setEditing(null);
            if (newSecret) setSecret({ app, secret: newSecret });
            void load();
          }}
        />
      )}
      {secret && <SecretDialog t={t} app={secret.app} secret={secret.secret} onClose={() => setSecret(null)} />}
    </section>
  );
}

function AppDialog({ api, t, app, onClose, onSaved }: Pick<PageProps, 'api' | 't' | 'lang'> & { app: RegisteredApp | null; onClose: () => void; onSaved: (app: RegisteredApp, secret: string | null) => void }) {
  const toast = useToast();
  const [name, setName] = useState(app?.name ?? '');
  const [description, setDescription] = useState(app?.description ?? '');
  const [scopes, setScopes] = useState<Set<string>>(new Set(app?.scopes ?? []));
  const [busy, setBusy] = useState(false);
  const revoked = app?.status === 'revoked';
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      toast(refusal(error, t), 'bad');
    } finally {
      setBusy(false);
    }
  };
  const save = () =>
    run(async () => {
      const body = { name, description, scopes: [...scopes] };
      if (app === null) {
        const made = await api.post<{ app: RegisteredApp; client_secret: string }>('apps', body);
        onSaved(made.app, made.client_secret);
      } else {
        onSaved((await api.patch<{ app: RegisteredApp }>(`apps/${app.id}`, body)).app, null);
        toast(t('Saved.', '已保存。'));
      }
    });
  const toggle = (scope: string, on: boolean) => setScopes((s) => (on ? new Set([...s, scope]) : new Set([...s].filter((x) => x !== scope))));
  return (
    <Dialog
      title={app ? app.name : t('Register an app', '注册应用')}
      onClose={onClose}
      wide
      footer={
        <>
          {app && !revoked && (
            <>
              <ConfirmButton
                label={t('Rotate secret', '重置密钥')}
                confirm={t('Rotate: the old secret stops now', '确认重置：旧密钥立即失效')}
                cancel={t('Cancel', '取消')}
                onConfirm={() => run(async () => {
                  const rotated = await api.post<{ app: RegisteredApp; client_secret: string }>(`apps/${app.id}/rotate-secret`);
                  onSaved(rotated.app, rotated.client_secret);
                })}
              />
              <ConfirmButton
                danger
                label={t('Revoke', '吊销')}
                confirm={t('Revoke for good', '确认永久吊销')}
                cancel={t('Cancel', '取消')}
                onConfirm={() => run(async () => {
                  onSaved((await api.post<{ app: RegisteredApp }>(`apps/${app.id}/revoke`)).app, null);
                  toast(t('Revoked: its tokens stopped.', '已吊销，其令牌已失效。'));
                })}
              />
            </>
          )}
          <button type="button" className="adm-button primary" disabled={busy || revoked || !name.trim()} onClick={() => void save()} data-testid="app-save">
            {app ? t('Save', '保存') : t('Register', '注册')}
          </button>
        </>
      }
    >
      {app && (
        <p className="adm-muted">
          {t('Client id', 'Client ID')}: <code data-testid="app-client-id">{app.client_id}</code>
        </p>
      )}
      <Field label={t('Name', '名称')}>
        <input name="name" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} disabled={revoked} />
      </Field>
      <Field label={t('Description', '描述')}>
        <textarea name="description" value={description} maxLength={500} rows={2} onChange={(e) => setDescription(e.target.value)} disabled={revoked} />
      </Field>
      <fieldset className="adm-scopes">
        <legend>{t('Scopes: what the app may do', '权限范围：应用可以做什么')}</legend>
        {SCOPES.map(([scope, en, zh]) => (
          <label key={scope} className="adm-scope">
            <input type="checkbox" name="scope" value={scope} checked={scopes.has(scope)} disabled={revoked} onChange={(e) => toggle(scope, e.target.checked)} />
            <code>{scope}</code> <span className="adm-muted">{t(en, zh)}</span>
          </label>
        ))}
      </fieldset>
    </Dialog>
  );
}

function SecretDialog({ t, app, secret, onClose }: { t: T; app: RegisteredApp; secret: string; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <Dialog
      title={t('The app’s secret', '应用密钥')}
      onClose={onClose}
      footer={
        <button type="button" className="adm-button primary" onClick={onClose} data-testid="secret-done">
          {t('I have stored it', '我已妥善保存')}
        </button>
      }
    >
      <p className="adm-warning" role="alert">
        {t('Copy the secret now: it is shown this once and cannot be read again. Anyone holding it can act as this app.', '请立即复制密钥：它只显示这一次，之后无法再查看。持有密钥即可以该应用身份调用接口。')}
      </p>
      <Field label={t('Client id', 'Client ID')}>
        <input readOnly value={app.client_id} data-testid="secret-client-id" />
      </Field>
      <Field label={t('Client secret', 'Client Secret')}>
        <span className="adm-secret">
          <input readOnly value={secret} data-testid="app-secret" onFocus={(e) => e.target.select()} />
          <button
            type="button"
            className="adm-button"
            onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false))}
            data-testid="secret-copy"
          >
            {copied ? t('Copied', '已复制') : t('Copy', '复制')}
          </button>
        </span>
      </Field>
    </Dialog>
  );
}
