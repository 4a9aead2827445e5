/**
 * Workbench apps (工作台, PRODUCT.md J6, decision 0069): the H5 pages users open in the client's
 * Workbench tab. Each has a name, a URL, an icon, the registered app whose backend exchanges
 * its tickets, and who sees it (everyone, departments with everything below, people).
 */
import { useCallback, useEffect, useState } from 'react';
import type { PageProps } from '../pages';
import { ConfirmButton, Dialog, EmptyState, Field, Table, Toolbar, useToast } from '../ui';
import { refusal } from './people';
import type { RegisteredApp } from './AppsPage';
import { DepartmentPicker, SearchPicker, type Picked } from './BroadcastsPage';

interface Audience {
  everyone: boolean;
  department_ids: number[];
  user_ids: number[];
}

interface WorkbenchApp {
  id: number;
  name: string;
  url: string;
  icon_url: string | null;
  description: string;
  app_id: number | null;
  client_id: string | null;
  audience: Audience;
  /** The audience's people with their names (the server names them for the console). */
  audience_people: { id: number; account: string; nickname: string }[];
  sort_order: number;
}

/** How the people picker shows someone: the name the search shows too. */
const personName = (u: { nickname: string; account: string }) => `${u.nickname} (${u.account})`;

/** The audience's people as picked entries, by name (the id only for someone since removed). */
export function pickedPeople(app: Pick<WorkbenchApp, 'audience' | 'audience_people'> | null): Picked[] {
  if (!app) return [];
  const named = new Map(app.audience_people.map((u) => [u.id, personName(u)]));
  return app.audience.user_ids.map((id) => ({ id, name: named.get(id) ?? `#${id}` }));
}

export default function WorkbenchAppsPage({ api, t, lang }: PageProps) {
  const toast = useToast();
  const [apps, setApps] = useState<WorkbenchApp[] | null>(null);
  const [registered, setRegistered] = useState<RegisteredApp[]>([]);
  const [editing, setEditing] = useState<WorkbenchApp | 'new' | null>(null);
  const load = useCallback(async () => {
    try {
      setApps((await api.get<{ apps: WorkbenchApp[] }>('workbench-apps')).apps);
      setRegistered((await api.get<{ apps: RegisteredApp[] }>('apps')).apps.filter((a) => a.status === 'active'));
    } catch (error) {
      toast(refusal(error, t), 'bad');
    }
  }, [api, t, toast]);
  useEffect(() => void load(), [load]);
  const audience = (a: Audience) =>
    a.everyone
      ? t('Everyone', '全体成员')
      : [a.department_ids.length ? t(`${a.department_ids.length} department(s)`, `${a.department_ids.length} 个部门`) : '', a.user_ids.length ? t(`${a.user_ids.length} people`, `${a.user_ids.length} 人`) : ''].filter(Boolean).join(', ');

  return (
    <section className="adm-workbench" data-testid="workbench-apps-page">
      <Toolbar>
        <button type="button" className="adm-button primary" onClick={() => setEditing('new')} data-testid="workbench-register">
          {t('Add a workbench app', '添加工作台应用')}
        </button>
      </Toolbar>
      <Table
        columns={[
          { key: 'name', title: t('Name', '名称'), render: (a) => a.name },
          { key: 'url', title: t('Address', '地址'), render: (a) => <code>{a.url}</code> },
          { key: 'audience', title: t('Who sees it', '可见范围'), render: (a) => audience(a.audience) },
          { key: 'backend', title: t('Backend app', '后端应用'), render: (a) => (a.client_id ? <code>{a.client_id}</code> : '—') },
        ]}
        rows={apps ?? []}
        rowKey={(a) => a.id}
        onRowClick={(a) => setEditing(a)}
        empty={<EmptyState>{apps === null ? t('Loading…', '加载中…') : t('No workbench app yet.', '还没有工作台应用。')}</EmptyState>}
      />
      {editing !== null && (
        <WorkbenchDialog
          key={editing === 'new' ? 'new' : editing.id}
          {...{ api, t, lang }}
          app={editing === 'new' ? null : editing}
          registered={registered}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
    </section>
  );
}

function WorkbenchDialog({
  api,
  t,
  app,
  registered,
  onClose,
  onSaved,
}: Pick<PageProps, 'api' | 't' | 'lang'> & { app: WorkbenchApp | null; registered: RegisteredApp[]; onClose: () => void; onSaved: () => void }) {
  const toast = useToast();
  const [name, setName] = useState(app?.name ?? '');
  const [url, setUrl] = useState(app?.url ?? 'https://');
  const [icon, setIcon] = useState(app?.icon_url ?? '');
  const [description, setDescription] = useState(app?.description ?? '');
  const [appId, setAppId] = useState<number | null>(app?.app_id ?? null);
  const [everyone, setEveryone] = useState(app?.audience.everyone ?? true);
  const [departments, setDepartments] = useState<Set<number>>(new Set(app?.audience.department_ids ?? []));
  const [people, setPeople] = useState<Picked[]>(() => pickedPeople(app));
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
      onSaved();
    } catch (error) {
      toast(refusal(error, t), 'bad');
    } finally {
      setBusy(false);
    }
  };
  const body = {
    name,
    url,
    icon_url: icon.trim() || null,
    description,
    app_id: appId,
    audience: everyone ? { everyone: true } : { department_ids: [...departments], user_ids: people.map((p) => p.id) },
  };
  return (
    <Dialog
      title={app ? app.name : t('Add a workbench app', '添加工作台应用')}
      onClose={onClose}
      wide
      footer={
        <>
          {app && (
            <ConfirmButton danger label={t('Remove', '删除')} confirm={t('Remove it for everyone', '确认删除')} cancel={t('Cancel', '取消')} onConfirm={() => run(() => api.del(`workbench-apps/${app.id}`))} />
          )}
          <button
            type="button"
            className="adm-button primary"
            disabled={busy || !name.trim()}
            onClick={() => void run(() => (app ? api.patch(`workbench-apps/${app.id}`, body) : api.post('workbench-apps', body)).then(() => undefined))}
            data-testid="workbench-save"
          >
            {app ? t('Save', '保存') : t('Add', '添加')}
          </button>
        </>
      }
    >
      <Field label={t('Name', '名称')}>
        <input name="name" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label={t('Address (http or https)', '地址（http 或 https）')} hint={t('Its origin is allowed as a frame in the client.', '该来源将被允许在客户端内以框架打开。')}>
        <input name="url" value={url} maxLength={2000} onChange={(e) => setUrl(e.target.value)} />
      </Field>
      <Field label={t('Icon address (optional, on the same origin)', '图标地址（可选，须同源）')}>
        <input name="icon_url" value={icon} maxLength={2000} onChange={(e) => setIcon(e.target.value)} />
      </Field>
      <Field label={t('Description', '描述')}>
        <input name="description" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <Field label={t('Backend app (exchanges the user tickets; needs the scope "workbench")', '后端应用（用票据换取用户身份，需 workbench 权限）')}>
        <select name="app_id" value={appId ?? ''} onChange={(e) => setAppId(e.target.value ? Number(e.target.value) : null)}>
          <option value="">{t('None', '无')}</option>
          {registered.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} ({r.client_id})
            </option>
          ))}
        </select>
      </Field>
      <fieldset className="adm-scopes">
        <legend>{t('Who sees it', '可见范围')}</legend>
        <label className="adm-scope">
          <input type="checkbox" name="everyone" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} /> {t('Everyone', '全体成员')}
        </label>
        {!everyone && (
          <>
            <DepartmentPicker api={api} t={t} chosen={departments} onChange={setDepartments} />
            <SearchPicker
              label={t('People', '人员')}
              placeholder={t('Find people by name or account', '按姓名或账号查找')}
              t={t}
              picked={people}
              onChange={setPeople}
              search={async (q) => (await api.get<{ users: { id: number; account: string; nickname: string }[] }>('users', { q, limit: 10 })).users.map((u) => ({ id: u.id, name: personName(u) }))}
            />
          </>
        )}
      </fieldset>
    </Dialog>
  );
}
