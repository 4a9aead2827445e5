/**
 * Users (PRODUCT.md K1): the list with search, filters and "load more" paging; a panel per
 * user to edit, freeze or unfreeze, reset the password (the one-time password shown once),
 * give a role, and sign sessions out; creating one user and importing many from CSV/XLSX.
 */
import { useCallback, useEffect, useState } from 'react';
import { roleName } from '../roles';
import type { PageProps } from '../pages';
import { Badge, ConfirmButton, Dialog, EmptyState, Field, Pager, SearchBox, Table, Toolbar, formatTime, useToast } from '../ui';
import { departmentChoices, refusal, type DepartmentChoice, type ListedUser, type UserDetails, type UserPage } from './people';
import './UsersPage.css';

const DAY = 24 * 3600 * 1000;

interface Filters {
  q: string;
  status: string;
  role: string;
  department_id: string;
  signed_in: string;
  sort: string;
}

const NO_FILTERS: Filters = { q: '', status: '', role: '', department_id: '', signed_in: '', sort: 'created:desc' };

function listQuery(f: Filters, cursor: string | null): Record<string, string | number | boolean | null> {
  const [sort, order] = f.sort.split(':');
  const now = Date.now();
  return {
    q: f.q,
    status: f.status,
    role: f.role,
    department_id: f.department_id,
    never_signed_in: f.signed_in === 'never' ? true : null,
    signed_in_after: f.signed_in === 'week' ? now - 7 * DAY : null,
    signed_in_before: f.signed_in === 'month_ago' ? now - 30 * DAY : null,
    sort: sort ?? 'created',
    order: order ?? 'desc',
    cursor,
    limit: 50,
  };
}

export default function UsersPage(props: PageProps) {
  const { api, t, lang, powers } = props;
  const toast = useToast();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [users, setUsers] = useState<ListedUser[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [departments, setDepartments] = useState<DepartmentChoice[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);

  const load = useCallback(
    async (f: Filters, after: string | null) => {
      setLoading(true);
      try {
        const page = await api.get<UserPage>('users', listQuery(f, after));
        setUsers((list) => (after ? [...list, ...page.users] : page.users));
        if (page.total !== undefined) setTotal(page.total);
        setCursor(page.next_cursor);
      } catch (error) {
        toast(refusal(error, t), 'bad');
      } finally {
        setLoading(false);
      }
    },
    [api, t, toast],
  );
  useEffect(() => void load(filters, null), [filters, load]);
  useEffect(() => {
    departmentChoices(api).then(setDepartments, () => setDepartments([]));
  }, [api]);
  const set = (change: Partial<Filters>) => setFilters((f) => ({ ...f, ...change }));
  const refresh = () => load(filters, null);

  return (
    <section className="adm-users">
      <Toolbar>
        <SearchBox value={filters.q} onSearch={(q) => set({ q })} placeholder={t('Account, name, phone or e-mail', '账号、姓名、手机号或邮箱')} />
        <select aria-label={t('Department', '部门')} value={filters.department_id} onChange={(e) => set({ department_id: e.target.value })}>
          <option value="">{t('All departments', '全部部门')}</option>
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.path}
            </option>
          ))}
        </select>
        <select aria-label={t('Status', '状态')} value={filters.status} onChange={(e) => set({ status: e.target.value })}>
          <option value="">{t('Any status', '全部状态')}</option>
          <option value="active">{t('Active', '正常')}</option>
          <option value="frozen">{t('Frozen', '已冻结')}</option>
        </select>
        <select aria-label={t('Admin role', '管理角色')} value={filters.role} onChange={(e) => set({ role: e.target.value })}>
          <option value="">{t('Any role', '全部角色')}</option>
          <option value="admin">{t('Any admin', '任一管理员')}</option>
          <option value="super_admin">{roleName('super_admin', lang)}</option>
          <option value="org_admin">{roleName('org_admin', lang)}</option>
          <option value="auditor">{roleName('auditor', lang)}</option>
          <option value="none">{t('No admin role', '非管理员')}</option>
        </select>
        <select aria-label={t('Last sign-in', '最近登录')} value={filters.signed_in} onChange={(e) => set({ signed_in: e.target.value })}>
          <option value="">{t('Any sign-in', '不限登录时间')}</option>
          <option value="week">{t('Signed in this week', '近 7 天登录过')}</option>
          <option value="month_ago">{t('Not in 30 days', '30 天未登录')}</option>
          <option value="never">{t('Never signed in', '从未登录')}</option>
        </select>
        <select aria-label={t('Sort', '排序')} value={filters.sort} onChange={(e) => set({ sort: e.target.value })}>
          <option value="created:desc">{t('Newest first', '最新创建')}</option>
          <option value="account:asc">{t('Account A–Z', '账号 A–Z')}</option>
          <option value="nickname:asc">{t('Name A–Z', '姓名 A–Z')}</option>
          <option value="last_sign_in:desc">{t('Recently signed in', '最近登录')}</option>
        </select>
        <span className="adm-users-spacer" />
        <button type="button" className="adm-button" onClick={() => setImporting(true)}>
          {t('Import…', '批量导入…')}
        </button>
        <button type="button" className="adm-button primary" onClick={() => setCreating(true)}>
          {t('New user', '新建用户')}
        </button>
      </Toolbar>
      {total !== null && <p className="adm-users-total">{t(`${total} users`, `共 ${total} 个用户`)}</p>}
      <Table
        columns={[
          { key: 'account', title: t('Account', '账号'), render: (u) => u.account },
          { key: 'nickname', title: t('Name', '姓名'), render: (u) => u.nickname },
          { key: 'departments', title: t('Departments', '部门'), render: (u) => u.departments.map((d) => d.path).join('; ') },
          {
            key: 'status',
            title: t('Status', '状态'),
            narrow: true,
            render: (u) => (u.status === 'frozen' ? <Badge tone="bad">{t('Frozen', '已冻结')}</Badge> : <Badge tone="good">{t('Active', '正常')}</Badge>),
          },
          { key: 'role', title: t('Role', '角色'), narrow: true, render: (u) => (u.admin_role ? roleName(u.admin_role, lang) : '') },
          { key: 'last', title: t('Last sign-in', '最近登录'), narrow: true, render: (u) => (u.last_sign_in ? formatTime(u.last_sign_in.at, lang) : t('Never', '从未')) },
        ]}
        rows={users}
        rowKey={(u) => u.id}
        selectedKey={open}
        onRowClick={(u) => setOpen(u.id)}
        empty={<EmptyState>{loading ? t('Loading…', '加载中…') : t('No user matches.', '没有符合条件的用户。')}</EmptyState>}
      />
      <Pager hasMore={cursor !== null} loading={loading} onMore={() => load(filters, cursor)} label={t('Load more', '加载更多')} />
      {open !== null && (
        <UserPanel
          {...props}
          userId={open}
          departments={departments}
          canGiveRoles={powers.has('roles')}
          onClose={() => setOpen(null)}
          onChanged={(u) => setUsers((list) => list.map((x) => (x.id === u.id ? { ...x, ...u } : x)))}
        />
      )}
      {creating && (
        <CreateUser
          {...props}
          departments={departments}
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setUsers((list) => [u, ...list]);
            setTotal((n) => (n === null ? n : n + 1));
          }}
        />
      )}
      {importing && (
        <ImportUsers
          {...props}
          onClose={() => {
            setImporting(false);
            void refresh();
          }}
        />
      )}
    </section>
  );
}

function DepartmentsEditor({
  value,
  onChange,
  departments,
  t,
}: {
  value: { department_id: number; position: string }[];
  onChange: (next: { department_id: number; position: string }[]) => void;
  departments: DepartmentChoice[];
  t: PageProps['t'];
}) {
  const [adding, setAdding] = useState('');
  const pathOf = (id: number) => departments.find((d) => d.id === id)?.path ?? `#${id}`;
  return (
    <div className="adm-users-depts">
      {value.map((d, i) => (
        <div key={d.department_id} className="adm-users-dept">
          <span>{pathOf(d.department_id)}</span>
          <input
            aria-label={t('Position', '职位')}
            placeholder={t('Position', '职位')}
            value={d.position}
            maxLength={64}
            onChange={(e) => onChange(value.map((x, j) => (j === i ? { ...x, position: e.target.value } : x)))}
          />
          <button type="button" className="adm-icon-button" aria-label={t('Remove', '移除')} onClick={() => onChange(value.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <select
        aria-label={t('Add to a department', '加入部门')}
        value={adding}
        onChange={(e) => {
          const id = Number(e.target.value);
          setAdding('');
          if (id && !value.some((d) => d.department_id === id)) onChange([...value, { department_id: id, position: '' }]);
        }}
      >
        <option value="">{t('Add to a department…', '加入部门…')}</option>
        {departments.map((d) => (
          <option key={d.id} value={d.id}>
            {d.path}
          </option>
        ))}
      </select>
    </div>
  );
}

function OneTimePassword({ password, t }: { password: string; t: PageProps['t'] }) {
  return (
    <div className="adm-users-otp" role="alert">
      <p>{t('One-time password (shown only now; the user must change it at the next sign-in):', '一次性密码（仅显示这一次；用户下次登录时必须修改）：')}</p>
      <code data-testid="one-time-password">{password}</code>
    </div>
  );
}

function UserPanel({
  api,
  t,
  lang,
  userId,
  departments,
  canGiveRoles,
  onClose,
  onChanged,
}: PageProps & {
  userId: number;
  departments: DepartmentChoice[];
  canGiveRoles: boolean;
  onClose: () => void;
  onChanged: (user: ListedUser) => void;
}) {
  const toast = useToast();
  const [user, setUser] = useState<UserDetails | null>(null);
  const [form, setForm] = useState({ nickname: '', phone: '', work_email: '', office_phone: '', desk: '' });
  const [depts, setDepts] = useState<{ department_id: number; position: string }[]>([]);
  const [oneTime, setOneTime] = useState<string | null>(null);

  const show = useCallback(
    (found: UserDetails) => {
      setUser(found);
      setForm({ nickname: found.nickname, phone: found.phone, work_email: found.work_email, office_phone: found.office_phone, desk: found.desk });
      setDepts(found.departments.map((d) => ({ department_id: d.id, position: d.position })));
      onChanged(found);
    },
    [onChanged],
  );
  const reload = useCallback(() => api.get<UserDetails>(`users/${userId}`).then(show), [api, userId, show]);
  useEffect(() => {
    reload().catch((error) => toast(refusal(error, t), 'bad'));
  }, [reload, t, toast]);

  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      toast(done);
      await reload();
    } catch (error) {
      toast(refusal(error, t), 'bad');
    }
  };
  if (!user) {
    return (
      <Dialog title={t('User', '用户')} onClose={onClose} wide>
        <p>{t('Loading…', '加载中…')}</p>
      </Dialog>
    );
  }
  const frozen = user.status === 'frozen';
  const save = () =>
    act(async () => {
      const changes: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(form)) if (value !== (user as unknown as Record<string, unknown>)[key]) changes[key] = value;
      const before = user.departments.map((d) => `${d.id}:${d.position}`).join();
      if (depts.map((d) => `${d.department_id}:${d.position}`).join() !== before) changes.departments = depts;
      if (Object.keys(changes).length === 0) return;
      show(await api.patch<UserDetails>(`users/${user.id}`, changes));
    }, t('Saved', '已保存'));

  return (
    <Dialog title={`${user.nickname} · ${user.account}`} onClose={onClose} wide>
      <div className="adm-users-panel">
        <section>
          <div className="adm-users-facts">
            <span>{frozen ? <Badge tone="bad">{t('Frozen', '已冻结')}</Badge> : <Badge tone="good">{t('Active', '正常')}</Badge>}</span>
            {user.admin_role && <Badge tone="warn">{roleName(user.admin_role, lang)}</Badge>}
            {user.password_change_required && <Badge tone="warn">{t('Must change password', '需修改密码')}</Badge>}
          </div>
          <dl className="adm-users-dl">
            <dt>{t('Created', '创建时间')}</dt>
            <dd>{formatTime(user.created_at, lang)}</dd>
            <dt>{t('Last sign-in', '最近登录')}</dt>
            <dd>{user.last_sign_in ? `${formatTime(user.last_sign_in.at, lang)} · ${user.last_sign_in.ip || '—'} · ${user.last_sign_in.device || '—'}` : t('Never', '从未')}</dd>
          </dl>
          <div className="adm-users-actions">
            {frozen ? (
              <ConfirmButton label={t('Unfreeze', '解冻')} confirm={t('Unfreeze now', '确认解冻')} cancel={t('Cancel', '取消')} onConfirm={() => act(() => api.post(`users/${user.id}/unfreeze`), t('Unfrozen', '已解冻'))} />
            ) : (
              <ConfirmButton
                danger
                label={t('Freeze', '冻结')}
                confirm={t('Freeze and sign out everywhere', '冻结并强制下线')}
                cancel={t('Cancel', '取消')}
                onConfirm={() => act(() => api.post(`users/${user.id}/freeze`, { reason: '' }), t('Frozen', '已冻结'))}
              />
            )}
            <ConfirmButton
              label={t('Reset password', '重置密码')}
              confirm={t('Reset and sign out', '重置并强制下线')}
              cancel={t('Cancel', '取消')}
              onConfirm={() =>
                act(async () => {
                  const reply = await api.post<{ one_time_password: string }>(`users/${user.id}/reset-password`);
                  setOneTime(reply.one_time_password);
                }, t('Password reset', '密码已重置'))
              }
            />
            {canGiveRoles && (
              <select
                aria-label={t('Admin role', '管理角色')}
                value={user.admin_role ?? ''}
                onChange={(e) => act(() => api.put(`users/${user.id}/role`, { role: e.target.value || null }), t('Role changed', '角色已修改'))}
              >
                <option value="">{t('No admin role', '非管理员')}</option>
                <option value="super_admin">{roleName('super_admin', lang)}</option>
                <option value="org_admin">{roleName('org_admin', lang)}</option>
                <option value="auditor">{roleName('auditor', lang)}</option>
              </select>
            )}
          </div>
          {oneTime && <OneTimePassword password={oneTime} t={t} />}
        </section>
        <section>
          <h3>{t('Profile', '资料')}</h3>
          <div className="adm-users-form">
            <Field label={t('Name', '姓名')}>
              <input value={form.nickname} maxLength={64} onChange={(e) => setForm({ ...form, nickname: e.target.value })} />
            </Field>
            <Field label={t('Phone', '手机号')}>
              <input value={form.phone} maxLength={32} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
            </Field>
            <Field label={t('Work e-mail', '工作邮箱')}>
              <input value={form.work_email} maxLength={254} onChange={(e) => setForm({ ...form, work_email: e.target.value })} />
            </Field>
            <Field label={t('Office phone', '办公电话')}>
              <input value={form.office_phone} maxLength={40} onChange={(e) => setForm({ ...form, office_phone: e.target.value })} />
            </Field>
            <Field label={t('Desk', '工位')}>
              <input value={form.desk} maxLength={100} onChange={(e) => setForm({ ...form, desk: e.target.value })} />
            </Field>
          </div>
          <h3>{t('Departments', '部门')}</h3>
          <DepartmentsEditor value={depts} onChange={setDepts} departments={departments} t={t} />
          <div className="adm-users-actions">
            <button type="button" className="adm-button primary" onClick={save}>
              {t('Save', '保存')}
            </button>
          </div>
        </section>
        <section>
          <h3>{t('Signed-in sessions', '在线会话')}</h3>
          {user.sessions.length === 0 ? (
            <p className="adm-users-muted">{t('No live session.', '没有在线会话。')}</p>
          ) : (
            <ul className="adm-users-sessions">
              {user.sessions.map((s) => (
                <li key={s.id}>
                  <span>
                    {s.device_name || s.platform} · {s.ip || '—'} · {formatTime(s.last_seen_at, lang)}
                  </span>
                  <ConfirmButton label={t('Sign out', '下线')} confirm={t('Sign out now', '确认下线')} cancel={t('Cancel', '取消')} onConfirm={() => act(() => api.del(`users/${user.id}/sessions/${s.id}`), t('Signed out', '已下线'))} />
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </Dialog>
  );
}

function CreateUser({ api, t, departments, onClose, onCreated }: PageProps & { departments: DepartmentChoice[]; onClose: () => void; onCreated: (user: ListedUser) => void }) {
  const toast = useToast();
  const [form, setForm] = useState({ account: '', nickname: '', password: '', phone: '', work_email: '' });
  const [depts, setDepts] = useState<{ department_id: number; position: string }[]>([]);
  const [error, setError] = useState('');
  const [created, setCreated] = useState<{ user: UserDetails; one_time_password?: string } | null>(null);
  const submit = async () => {
    setError('');
    try {
      const reply = await api.post<{ user: UserDetails; one_time_password?: string }>('users', {
        account: form.account.trim(),
        nickname: form.nickname.trim(),
        ...(form.password ? { password: form.password } : {}),
        phone: form.phone.trim(),
        work_email: form.work_email.trim(),
        departments: depts,
      });
      setCreated(reply);
      onCreated(reply.user);
      toast(t('User created', '用户已创建'));
    } catch (e) {
      setError(refusal(e, t));
    }
  };
  return (
    <Dialog
      title={t('New user', '新建用户')}
      onClose={onClose}
      footer={
        created ? (
          <button type="button" className="adm-button primary" onClick={onClose}>
            {t('Done', '完成')}
          </button>
        ) : (
          <button type="button" className="adm-button primary" onClick={submit}>
            {t('Create', '创建')}
          </button>
        )
      }
    >
      {created ? (
        <div>
          <p>{t(`${created.user.account} was created.`, `已创建 ${created.user.account}。`)}</p>
          {created.one_time_password && <OneTimePassword password={created.one_time_password} t={t} />}
        </div>
      ) : (
        <div className="adm-users-form">
          <Field label={t('Account', '账号')} hint={t('3–64 letters, digits or . _ - @', '3–64 位字母、数字或 . _ - @')}>
            <input value={form.account} maxLength={64} onChange={(e) => setForm({ ...form, account: e.target.value })} />
          </Field>
          <Field label={t('Name', '姓名')}>
            <input value={form.nickname} maxLength={64} onChange={(e) => setForm({ ...form, nickname: e.target.value })} />
          </Field>
          <Field label={t('Password', '密码')} hint={t('Leave empty for a one-time password', '留空则生成一次性密码')}>
            <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
          </Field>
          <Field label={t('Phone', '手机号')}>
            <input value={form.phone} maxLength={32} onChange={(e) => setForm({ ...form, phone: e.target.value })} />
          </Field>
          <Field label={t('Work e-mail', '工作邮箱')}>
            <input value={form.work_email} maxLength={254} onChange={(e) => setForm({ ...form, work_email: e.target.value })} />
          </Field>
          <DepartmentsEditor value={depts} onChange={setDepts} departments={departments} t={t} />
          {error && (
            <p className="adm-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </Dialog>
  );
}

interface ImportRow {
  row: number;
  account: string;
  status: string;
  reason?: string;
  password?: string;
}

function ImportUsers({ api, t, onClose }: PageProps & { onClose: () => void }) {
  const [report, setReport] = useState<{ added: number; rejected: number; rows: ImportRow[] } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const upload = async (file: File) => {
    setBusy(true);
    setError('');
    try {
      const xlsx = /\.xlsx$/i.test(file.name);
      setReport(await api.postFile('users/import', file, { format: xlsx ? 'xlsx' : 'csv' }));
    } catch (e) {
      setError(refusal(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('Import users', '批量导入用户')} onClose={onClose} wide>
      <p className="adm-users-muted">
        {t(
          'A CSV or XLSX file with the columns account, nickname and optionally password, phone, work_email, department (a path such as Acme/Sales) and position. Rows without a password get a one-time password, shown below once.',
          'CSV 或 XLSX 文件，列为 account、nickname，可选 password、phone、work_email、department（路径，如 Acme/Sales）和 position。未填密码的行会生成一次性密码，仅在下方显示一次。',
        )}
      </p>
      <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-label={t('File to import', '要导入的文件')} disabled={busy} onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])} />
      {busy && <p>{t('Importing…', '正在导入…')}</p>}
      {error && (
        <p className="adm-error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <div className="adm-users-report">
          <p>{t(`${report.added} added, ${report.rejected} rejected.`, `成功 ${report.added} 行，拒绝 ${report.rejected} 行。`)}</p>
          <Table
            columns={[
              { key: 'row', title: t('Row', '行'), narrow: true, render: (r: ImportRow) => r.row },
              { key: 'account', title: t('Account', '账号'), render: (r: ImportRow) => r.account },
              {
                key: 'status',
                title: t('Result', '结果'),
                narrow: true,
                render: (r: ImportRow) => (r.status === 'added' ? <Badge tone="good">{t('Added', '已添加')}</Badge> : <Badge tone="bad">{t('Rejected', '已拒绝')}</Badge>),
              },
              { key: 'detail', title: t('Reason or one-time password', '原因或一次性密码'), render: (r: ImportRow) => r.reason ?? (r.password ? <code>{r.password}</code> : '') },
            ]}
            rows={report.rows}
            rowKey={(r) => r.row}
          />
        </div>
      )}
    </Dialog>
  );
}
