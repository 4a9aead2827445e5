/**
 * The audit log (PRODUCT.md K6): every admin action, sign-in and failed sign-in, newest first,
 * filtered by action, actor, target, time and text, paged with "Load more" over the server's
 * cursor, exported as CSV with the same filters. Read-only: nobody edits or deletes entries.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { AdminError, type Query } from '../AdminApi';
import type { PageProps } from '../pages';
import { Badge, EmptyState, Pager, SearchBox, Table, Toolbar, formatTime, useToast, type Column } from '../ui';
import './AuditPage.css';

interface Entry {
  id: number;
  at: number;
  action: string;
  actor_id: number | null;
  actor_account: string;
  target_type: string;
  target_id: string;
  details: Record<string, unknown>;
  ip: string;
  user_agent: string;
}

interface Page {
  entries: Entry[];
  next: number | null;
}

interface Filters {
  action: string;
  actor_id: string;
  target_type: string;
  target_id: string;
  since: string; // yyyy-mm-dd, local
  until: string; // yyyy-mm-dd, local, inclusive
  q: string;
}

const NO_FILTERS: Filters = { action: '', actor_id: '', target_type: '', target_id: '', since: '', until: '', q: '' };

// Suggestions for the action filter; "user." matches every user action (a prefix).
const ACTIONS = [
  'auth.',
  'auth.sign_in',
  'auth.sign_in_failed',
  'user.',
  'user.freeze',
  'user.unfreeze',
  'user.reset_password',
  'user.role',
  'org.',
  'group.',
  'settings.',
  'broadcast.',
  'words.',
  'report.',
  'audit.export',
];

function query(filters: Filters): Query {
  const day = (value: string, next: boolean) => {
    if (!value) return undefined;
    const date = new Date(`${value}T00:00:00`);
    if (next) date.setDate(date.getDate() + 1);
    return date.getTime();
  };
  return {
    action: filters.action.trim() || undefined,
    actor_id: /^\d+$/.test(filters.actor_id.trim()) ? filters.actor_id.trim() : undefined,
    target_type: filters.target_type.trim() || undefined,
    target_id: filters.target_id.trim() || undefined,
    since: day(filters.since, false),
    until: day(filters.until, true),
    q: filters.q.trim() || undefined,
  };
}

export default function AuditPage({ api, lang, t }: PageProps) {
  const toast = useToast();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  // Answers to an older filter arrive late sometimes: only the newest request may show.
  const generation = useRef(0);

  const load = useCallback(
    async (cursor: number | null) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await api.get<Page>('audit', { ...query(filters), cursor: cursor ?? undefined, limit: 50 });
        if (mine !== generation.current) return;
        setEntries((list) => (cursor === null ? page.entries : [...list, ...page.entries]));
        setNext(page.next);
        setError(null);
      } catch (e) {
        if (mine === generation.current) setError(e instanceof AdminError ? `${e.message} (${e.code})` : String(e));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [api, filters],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const set = (key: keyof Filters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));
  const filtered = Object.values(filters).some((v) => v !== '');
  const invalidActor = filters.actor_id.trim() !== '' && !/^\d+$/.test(filters.actor_id.trim());

  const exportCsv = async () => {
    try {
      await api.download('audit/export', { ...query(filters), format: 'csv' }, 'audit-log.csv');
    } catch (e) {
      toast(e instanceof AdminError ? e.message : String(e), 'bad');
    }
  };

  const columns: Column<Entry>[] = [
    { key: 'at', title: t('Time', '时间'), narrow: true, render: (e) => <time dateTime={new Date(e.at).toISOString()}>{formatTime(e.at, lang)}</time> },
    { key: 'action', title: t('Action', '操作'), render: (e) => <Badge tone={tone(e.action)}>{e.action}</Badge> },
    {
      key: 'actor',
      title: t('By', '操作人'),
      narrow: true,
      render: (e) => (e.actor_id === null ? <span className="audit-muted">{t('system', '系统')}</span> : <span title={`#${e.actor_id}`}>{e.actor_account || `#${e.actor_id}`}</span>),
    },
    { key: 'target', title: t('Target', '对象'), narrow: true, render: (e) => (e.target_type ? `${e.target_type} ${e.target_id}` : '—') },
    { key: 'ip', title: t('IP', 'IP'), narrow: true, render: (e) => e.ip || '—' },
    {
      key: 'details',
      title: t('Details', '详情'),
      render: (e) => {
        const text = summary(e.details);
        if (!text && !e.user_agent) return '—';
        return open === e.id ? (
          <div className="audit-details">
            {text && <pre>{JSON.stringify(e.details, null, 2)}</pre>}
            {e.user_agent && (
              <p>
                <span className="audit-muted">{t('Device', '设备')}:</span> {e.user_agent}
              </p>
            )}
          </div>
        ) : (
          <span className="audit-summary">{text || e.user_agent}</span>
        );
      },
    },
  ];

  return (
    <section className="audit">
      <Toolbar>
        <SearchBox value={filters.q} onSearch={set('q')} placeholder={t('Search accounts, targets, details, IP', '搜索账号、对象、详情、IP')} />
        <button type="button" className="adm-button" onClick={exportCsv}>
          {t('Export CSV', '导出 CSV')}
        </button>
      </Toolbar>
      <form className="audit-filters" onSubmit={(e) => e.preventDefault()} aria-label={t('Filters', '筛选')}>
        <label>
          <span>{t('Action', '操作')}</span>
          <input list="audit-actions" value={filters.action} onChange={(e) => set('action')(e.target.value)} placeholder="user.freeze" name="action" />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          <span>{t('Actor id', '操作人 ID')}</span>
          <input inputMode="numeric" value={filters.actor_id} onChange={(e) => set('actor_id')(e.target.value)} name="actor_id" aria-invalid={invalidActor} />
        </label>
        <label>
          <span>{t('Target type', '对象类型')}</span>
          <input value={filters.target_type} onChange={(e) => set('target_type')(e.target.value)} placeholder="user" name="target_type" />
        </label>
        <label>
          <span>{t('Target id', '对象 ID')}</span>
          <input value={filters.target_id} onChange={(e) => set('target_id')(e.target.value)} name="target_id" />
        </label>
        <label>
          <span>{t('From', '开始日期')}</span>
          <input type="date" value={filters.since} onChange={(e) => set('since')(e.target.value)} name="since" />
        </label>
        <label>
          <span>{t('To', '结束日期')}</span>
          <input type="date" value={filters.until} onChange={(e) => set('until')(e.target.value)} name="until" />
        </label>
        {filtered && (
          <button type="button" className="adm-button" onClick={() => setFilters(NO_FILTERS)}>
            {t('Clear filters', '清除筛选')}
          </button>
        )}
      </form>
      {invalidActor && <p className="audit-error">{t('The actor id is a number (a user id).', '操作人 ID 应为数字（用户 ID）。')}</p>}
      {error && <p className="audit-error">{error}</p>}
      <Table
        columns={columns}
        rows={entries}
        rowKey={(e) => e.id}
        onRowClick={(e) => setOpen((id) => (id === e.id ? null : e.id))}
        selectedKey={open}
        empty={!loading && <EmptyState>{filtered ? t('No entries match these filters.', '没有符合筛选条件的记录。') : t('The audit log is empty.', '审计日志为空。')}</EmptyState>}
      />
      <Pager hasMore={next !== null} loading={loading} onMore={() => void load(next)} label={t('Load more', '加载更多')} />
    </section>
  );
}

/** `reason: test · platform: web`: the details in a line, values of nested ones as JSON. */
function summary(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value || '""' : JSON.stringify(value)}`)
    .join(' · ');
}

function tone(action: string): 'neutral' | 'good' | 'bad' | 'warn' {
  if (action.endsWith('_failed') || action === 'user.freeze' || action.endsWith('.disband') || action.endsWith('.delete')) return 'bad';
  if (action === 'user.unfreeze' || action === 'auth.sign_in') return 'good';
  if (action.startsWith('user.') || action.startsWith('settings.') || action === 'user.role') return 'warn';
  return 'neutral';
}
