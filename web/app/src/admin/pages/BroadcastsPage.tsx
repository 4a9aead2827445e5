/**
 * Broadcasts (PRODUCT.md K5, D1; decision 0058): compose a notice — title, text, an image, a
 * link — choose its audience from the organization tree, groups and people, send it now or at
 * a time; the list shows each one's state, delivered and read counts, and cancels scheduled
 * ones. Everything goes through /api/v1/admin/broadcasts (docs/protocol.md "Broadcasts").
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AdminError, type AdminApi } from '../AdminApi';
import type { PageProps } from '../pages';
import { Badge, ConfirmButton, Dialog, EmptyState, Field, Pager, SearchBox, Table, Toolbar, formatTime, useToast, type Column } from '../ui';
import './BroadcastsPage.css';

type State = 'scheduled' | 'sending' | 'sent' | 'cancelled';

interface Audience {
  everyone: boolean;
  department_ids: number[];
  group_ids: number[];
  user_ids: number[];
}

interface Broadcast {
  id: number;
  title: string;
  text: string;
  url: string | null;
  image: { file_id: string; width: number; height: number } | null;
  audience: Audience;
  state: State;
  send_at: number;
  created_at: number;
  finished_at: number | null;
  recipient_count: number;
  delivered_count: number;
  read_count: number | null;
}

interface Department {
  id: number;
  parent_id: number | null;
  name: string;
  hidden: boolean;
  member_count: number;
}

/** Someone or some group picked by search, kept with its name for the chips. */
export interface Picked {
  id: number;
  name: string;
}

type T = PageProps['t'];

const PAGE = 20;
// While something is scheduled or sending, the list refreshes this often.
const REFRESH_MS = 3000;

function stateBadge(state: State, t: T) {
  switch (state) {
    case 'scheduled':
      return <Badge tone="warn">{t('Scheduled', '定时')}</Badge>;
    case 'sending':
      return <Badge tone="warn">{t('Sending', '发送中')}</Badge>;
    case 'sent':
      return <Badge tone="good">{t('Sent', '已发送')}</Badge>;
    default:
      return <Badge>{t('Cancelled', '已取消')}</Badge>;
  }
}

function audienceSummary(a: Audience, t: T): string {
  if (a.everyone) return t('Everyone', '全体成员');
  const parts: string[] = [];
  if (a.department_ids.length) parts.push(t(`${a.department_ids.length} department(s)`, `${a.department_ids.length} 个部门`));
  if (a.group_ids.length) parts.push(t(`${a.group_ids.length} group(s)`, `${a.group_ids.length} 个群组`));
  if (a.user_ids.length) parts.push(t(`${a.user_ids.length} people`, `${a.user_ids.length} 人`));
  return parts.join(' · ');
}

function errorText(error: unknown, t: T): string {
  if (error instanceof AdminError) {
    if (error.code === 'empty_audience') return t('This audience reaches nobody.', '所选范围内没有任何人。');
    if (error.code === 'forbidden') return t('You may not send broadcasts.', '你没有发送广播的权限。');
    return error.message;
  }
  return String(error);
}

export default function BroadcastsPage({ api, lang, t }: PageProps) {
  const toast = useToast();
  const [rows, setRows] = useState<Broadcast[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [composing, setComposing] = useState(false);
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const page = await api.get<{ broadcasts: Broadcast[]; next_before_id: number | null }>('broadcasts', { limit: PAGE });
      setRows(page.broadcasts);
      setNext(page.next_before_id);
      setError('');
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setLoading(false);
    }
  }, [api, t]);

  const more = async () => {
    if (next === null) return;
    setLoading(true);
    try {
      const page = await api.get<{ broadcasts: Broadcast[]; next_before_id: number | null }>('broadcasts', { limit: PAGE, before_id: next });
      setRows((list) => [...list, ...page.broadcasts]);
      setNext(page.next_before_id);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load();
  }, [load]);

  const busy = rows.some((b) => b.state === 'scheduled' || b.state === 'sending');
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [busy, load]);

  const cancel = async (broadcast: Broadcast) => {
    try {
      await api.del(`broadcasts/${broadcast.id}`);
      toast(t('Cancelled', '已取消'));
    } catch (e) {
      toast(errorText(e, t), 'bad');
    }
    await load();
  };

  const columns: Column<Broadcast>[] = [
    {
      key: 'title',
      title: t('Notice', '通知'),
      render: (b) => (
        <div className="bc-title-cell">
          <strong>{b.title}</strong>
          {b.text && <span className="bc-muted">{b.text.length > 80 ? `${b.text.slice(0, 80)}…` : b.text}</span>}
        </div>
      ),
    },
    { key: 'audience', title: t('Audience', '范围'), render: (b) => audienceSummary(b.audience, t) },
    { key: 'state', title: t('State', '状态'), narrow: true, render: (b) => stateBadge(b.state, t) },
    { key: 'when', title: t('When', '发送时间'), narrow: true, render: (b) => formatTime(b.send_at, lang) },
    {
      key: 'delivered',
      title: t('Delivered', '已送达'),
      narrow: true,
      render: (b) => (b.state === 'scheduled' || b.state === 'cancelled' ? '—' : <span data-testid="bc-delivered">{`${b.delivered_count} / ${b.recipient_count}`}</span>),
    },
    { key: 'read', title: t('Read', '已读'), narrow: true, render: (b) => (b.state === 'scheduled' || b.state === 'cancelled' ? '—' : String(b.read_count ?? 0)) },
    {
      key: 'actions',
      title: '',
      narrow: true,
      render: (b) =>
        b.state === 'scheduled' ? (
          <ConfirmButton label={t('Cancel', '取消发送')} confirm={t('Cancel it', '确认取消')} cancel={t('Keep', '保留')} danger onConfirm={() => cancel(b)} />
        ) : null,
    },
  ];

  return (
    <section className="bc-page">
      <Toolbar>
        <button type="button" className="adm-button primary" onClick={() => setComposing(true)}>
          {t('New broadcast', '新建广播')}
        </button>
        <button type="button" className="adm-button" onClick={() => void load()} disabled={loading}>
          {t('Refresh', '刷新')}
        </button>
      </Toolbar>
      {error && <p className="adm-error">{error}</p>}
      <Table
        columns={columns}
        rows={rows}
        rowKey={(b) => b.id}
        empty={!loading && <EmptyState>{t('No broadcasts yet.', '还没有广播。')}</EmptyState>}
      />
      <Pager hasMore={next !== null} loading={loading} onMore={() => void more()} label={t('Load more', '加载更多')} />
      {composing && (
        <Compose
          api={api}
          t={t}
          onClose={() => setComposing(false)}
          onSent={(b) => {
            setComposing(false);
            toast(b.state === 'scheduled' ? t('Scheduled', '已定时') : t('Sending', '正在发送'));
            void load();
          }}
        />
      )}
    </section>
  );
}

/** Uploads an image over tus (docs/protocol.md "Files"): create, then one PATCH. */
async function uploadImage(token: string, file: File): Promise<string> {
  const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
  const created = await fetch('/files/', {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(file.size),
      'Upload-Metadata': `filename ${b64(file.name)},filetype ${b64(file.type || 'application/octet-stream')}`,
    },
  });
  const location = created.headers.get('location');
  if (created.status !== 201 || !location) throw new AdminError('upload_failed', `upload refused (${created.status})`, created.status);
  const patched = await fetch(location, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: file,
  });
  if (patched.status !== 204) throw new AdminError('upload_failed', `upload failed (${patched.status})`, patched.status);
  return location.slice(location.lastIndexOf('/') + 1);
}

function Compose({ api, t, onClose, onSent }: { api: AdminApi; t: T; onClose: () => void; onSent: (b: Broadcast) => void }) {
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [url, setUrl] = useState('');
  const [image, setImage] = useState<{ id: string; name: string } | null>(null);
  const [uploading, setUploading] = useState(false);
  const [everyone, setEveryone] = useState(false);
  const [departments, setDepartments] = useState<Set<number>>(new Set());
  const [groups, setGroups] = useState<Picked[]>([]);
  const [people, setPeople] = useState<Picked[]>([]);
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [at, setAt] = useState('');
  const [reach, setReach] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);

  const audience: Audience = useMemo(
    () => ({ everyone, department_ids: [...departments], group_ids: groups.map((g) => g.id), user_ids: people.map((p) => p.id) }),
    [everyone, departments, groups, people],
  );
  const chosen = everyone || departments.size > 0 || groups.length > 0 || people.length > 0;

  // How many people the audience reaches now, asked again after each change.
  useEffect(() => {
    if (!chosen) {
      setReach(null);
      return;
    }
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const counted = await api.post<{ recipient_count: number }>('broadcasts/audience', audience);
        if (live) setReach(counted.recipient_count);
      } catch (e) {
        if (live) setReach(e instanceof AdminError && e.code === 'empty_audience' ? 0 : null);
      }
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, audience, chosen]);

  const send = async () => {
    setError('');
    if (!title.trim()) return setError(t('Give the notice a title.', '请填写标题。'));
    if (!chosen) return setError(t('Choose who receives it.', '请选择接收范围。'));
    let sendAt: number | undefined;
    if (when === 'later') {
      const parsed = Date.parse(at);
      if (!at || Number.isNaN(parsed)) return setError(t('Choose the time to send it.', '请选择发送时间。'));
      sendAt = parsed;
    }
    setSending(true);
    try {
      const created = await api.post<Broadcast>('broadcasts', {
        title: title.trim(),
        text,
        ...(url.trim() ? { url: url.trim() } : {}),
        ...(image ? { image_file_id: image.id } : {}),
        audience,
        ...(sendAt !== undefined ? { send_at: sendAt } : {}),
      });
      onSent(created);
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setSending(false);
    }
  };

  const pickImage = async (file: File | undefined) => {
    if (!file) return;
    setUploading(true);
    setError('');
    try {
      setImage({ id: await uploadImage(api.token, file), name: file.name });
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setUploading(false);
    }
  };

  return (
    <Dialog
      title={t('New broadcast', '新建广播')}
      onClose={onClose}
      wide
      footer={
        <>
          {error && <span className="adm-error" role="alert">{error}</span>}
          <span className="bc-reach" data-testid="bc-reach">
            {reach === null ? '' : reach === 0 ? t('Reaches nobody', '没有接收人') : t(`Reaches ${reach} people`, `将送达 ${reach} 人`)}
          </span>
          <button type="button" className="adm-button" onClick={onClose}>
            {t('Close', '关闭')}
          </button>
          <button type="button" className="adm-button primary" disabled={sending || uploading} onClick={() => void send()}>
            {when === 'later' ? t('Schedule', '定时发送') : t('Send now', '立即发送')}
          </button>
        </>
      }
    >
      <div className="bc-compose">
        <div className="bc-column">
          <Field label={t('Title', '标题')}>
            <input name="title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          </Field>
          <Field label={t('Text', '正文')}>
            <textarea name="text" rows={6} value={text} maxLength={5000} onChange={(e) => setText(e.target.value)} />
          </Field>
          <Field label={t('Link opened when clicked (optional)', '点击打开的链接（可选）')}>
            <input name="url" type="url" placeholder="https://" value={url} maxLength={2000} onChange={(e) => setUrl(e.target.value)} />
          </Field>
          <Field label={t('Image (optional)', '图片（可选）')} hint={image ? image.name : undefined}>
            <input name="image" type="file" accept="image/*" disabled={uploading} onChange={(e) => void pickImage(e.target.files?.[0])} />
          </Field>
          <fieldset className="bc-when">
            <legend>{t('When', '发送时间')}</legend>
            <label>
              <input type="radio" name="when" checked={when === 'now'} onChange={() => setWhen('now')} /> {t('Now', '立即')}
            </label>
            <label>
              <input type="radio" name="when" checked={when === 'later'} onChange={() => setWhen('later')} /> {t('At', '定时')}
            </label>
            <input type="datetime-local" name="send_at" aria-label={t('Send at', '发送时间')} value={at} disabled={when !== 'later'} onChange={(e) => setAt(e.target.value)} />
          </fieldset>
        </div>
        <div className="bc-column">
          <fieldset className="bc-audience">
            <legend>{t('Audience', '接收范围')}</legend>
            <label className="bc-everyone">
              <input type="checkbox" name="everyone" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} /> {t('Everyone', '全体成员')}
            </label>
            {!everyone && (
              <>
                <DepartmentPicker api={api} t={t} chosen={departments} onChange={setDepartments} />
                <SearchPicker
                  label={t('Groups', '群组')}
                  placeholder={t('Find groups by name or number', '按群名或群号查找')}
                  t={t}
                  picked={groups}
                  onChange={setGroups}
                  search={async (q) =>
                    (await api.get<{ groups: { id: number; name: string; number?: number; member_count?: number }[] }>('groups', { q, limit: 10 })).groups.map((g) => ({
                      id: g.id,
                      name: g.member_count === undefined ? g.name : `${g.name} (${g.member_count})`,
                    }))
                  }
                />
                <SearchPicker
                  label={t('People', '人员')}
                  placeholder={t('Find people by name or account', '按姓名或账号查找')}
                  t={t}
                  picked={people}
                  onChange={setPeople}
                  search={async (q) =>
                    (await api.get<{ users: { id: number; account: string; nickname: string }[] }>('users', { q, limit: 10 })).users.map((u) => ({
                      id: u.id,
                      name: `${u.nickname} (${u.account})`,
                    }))
                  }
                />
              </>
            )}
          </fieldset>
        </div>
      </div>
    </Dialog>
  );
}

/** The organization tree with a checkbox per department; a department includes its subtree. */
export function DepartmentPicker({ api, t, chosen, onChange }: { api: AdminApi; t: T; chosen: Set<number>; onChange: (next: Set<number>) => void }) {
  const [departments, setDepartments] = useState<Department[] | null>(null);
  const [filter, setFilter] = useState('');
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api
      .raw<{ departments: Department[] }>('GET', '/api/v1/org')
      .then((tree) => setDepartments(tree.departments))
      .catch(() => setFailed(true));
  }, [api]);

  const ordered = useMemo(() => {
    if (!departments) return [];
    const children = new Map<number | null, Department[]>();
    const known = new Set(departments.map((d) => d.id));
    for (const d of departments) {
      const parent = d.parent_id !== null && known.has(d.parent_id) ? d.parent_id : null;
      children.set(parent, [...(children.get(parent) ?? []), d]);
    }
    const out: { d: Department; depth: number }[] = [];
    const walk = (parent: number | null, depth: number) => {
      for (const d of children.get(parent) ?? []) {
        out.push({ d, depth });
        walk(d.id, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  }, [departments]);

  const needle = filter.trim().toLowerCase();
  const shown = needle ? ordered.filter(({ d }) => d.name.toLowerCase().includes(needle)) : ordered;
  const toggle = (id: number, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };

  return (
    <div className="bc-picker">
      <div className="bc-picker-head">
        <span className="adm-field-label">{t('Departments (with their sub-departments)', '部门（含下级部门）')}</span>
        <SearchBox value={filter} onSearch={setFilter} placeholder={t('Filter departments', '筛选部门')} delay={100} />
      </div>
      {failed && <p className="adm-error">{t('The organization could not be loaded.', '无法加载组织架构。')}</p>}
      <ul className="bc-tree" aria-label={t('Departments', '部门')}>
        {shown.map(({ d, depth }) => (
          <li key={d.id} style={{ paddingInlineStart: needle ? 0 : depth * 16 }}>
            <label>
              <input type="checkbox" checked={chosen.has(d.id)} onChange={(e) => toggle(d.id, e.target.checked)} data-department={d.name} />
              {d.name}
              <span className="bc-muted"> · {d.member_count}</span>
              {d.hidden && <span className="bc-muted"> · {t('hidden', '隐藏')}</span>}
            </label>
          </li>
        ))}
        {departments && shown.length === 0 && <li className="bc-muted">{t('No departments', '没有部门')}</li>}
      </ul>
    </div>
  );
}

/** A search box whose results can be added as chips (groups, people). */
export function SearchPicker({
  label,
  placeholder,
  t,
  picked,
  onChange,
  search,
}: {
  label: string;
  placeholder: string;
  t: T;
  picked: Picked[];
  onChange: (next: Picked[]) => void;
  search: (q: string) => Promise<Picked[]>;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Picked[]>([]);
  const [failed, setFailed] = useState(false);
  const latest = useRef(0);
  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setFound([]);
      return;
    }
    const mine = ++latest.current;
    search(q)
      .then((results) => {
        if (mine === latest.current) {
          setFound(results);
          setFailed(false);
        }
      })
      .catch(() => mine === latest.current && setFailed(true));
    // `search` is rebuilt by each render of the parent; the query alone decides when to ask.
  }, [query]);
  const ids = new Set(picked.map((p) => p.id));
  return (
    <div className="bc-picker">
      <div className="bc-picker-head">
        <span className="adm-field-label">{label}</span>
        <SearchBox value={query} onSearch={setQuery} placeholder={placeholder} />
      </div>
      {failed && <p className="adm-error">{t('Search is not available.', '暂时无法搜索。')}</p>}
      {found.length > 0 && (
        <ul className="bc-results">
          {found.map((item) => (
            <li key={item.id}>
              <button type="button" className="adm-button" disabled={ids.has(item.id)} onClick={() => onChange([...picked, item])}>
                + {item.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {picked.length > 0 && (
        <ul className="bc-chips">
          {picked.map((item) => (
            <li key={item.id}>
              {item.name}
              <button type="button" className="adm-icon-button" aria-label={t(`Remove ${item.name}`, `移除 ${item.name}`)} onClick={() => onChange(picked.filter((p) => p.id !== item.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
