/**
 * Content moderation (K7, docs/protocol.md "Admin API: content moderation"): the review queue
 * of users' reports and flagged content, and the server's word list. Reading needs
 * `moderation_view` (auditors too); acting needs `moderation`.
 */
import { useCallback, useEffect, useState } from 'react';
import { AdminError } from '../AdminApi';
import type { PageProps } from '../pages';
import { Badge, ConfirmButton, Dialog, EmptyState, Field, Pager, SearchBox, Table, Toolbar, formatTime, useToast } from '../ui';
import './ModerationPage.css';

type Tab = 'reports' | 'words';
type WordAction = 'block' | 'replace' | 'flag';

interface Report {
  id: number;
  reporter_id: number | null;
  reporter_name: string | null;
  target_type: 'message' | 'user' | 'group';
  target_user_id: number | null;
  target_user_name: string | null;
  conversation_id: number | null;
  group_name: string | null;
  seq: number | null;
  reason: string;
  note: string;
  excerpt: string;
  status: 'open' | 'resolved';
  resolution: string | null;
  resolution_note: string;
  resolved_by_name: string | null;
  resolved_at: number | null;
  created_at: number;
}

interface Word {
  word: string;
  action: WordAction;
  updated_at: number;
}

interface WordChange {
  added: number;
  updated: number;
  unchanged: number;
  errors: { index?: number; line?: number; word: string | null; message: string }[];
}

export default function ModerationPage(props: PageProps) {
  const { t } = props;
  const [tab, setTab] = useState<Tab>('reports');
  return (
    <section className="adm-moderation">
      <div className="mod-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'reports'} className={tab === 'reports' ? 'active' : ''} onClick={() => setTab('reports')}>
          {t('Reports', '举报')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'words'} className={tab === 'words' ? 'active' : ''} onClick={() => setTab('words')}>
          {t('Word list', '敏感词')}
        </button>
      </div>
      {tab === 'reports' ? <ReportsTab {...props} /> : <WordsTab {...props} />}
    </section>
  );
}

function reasonName(reason: string, t: PageProps['t']): string {
  const names: Record<string, [string, string]> = {
    spam: ['Spam', '垃圾信息'],
    abuse: ['Abuse', '辱骂骚扰'],
    fraud: ['Fraud', '欺诈'],
    illegal: ['Illegal', '违法内容'],
    other: ['Other', '其他'],
    flagged_words: ['Flagged words', '命中敏感词'],
  };
  const found = names[reason];
  return found ? t(found[0], found[1]) : reason;
}

function resolutionName(resolution: string, t: PageProps['t']): string {
  const names: Record<string, [string, string]> = {
    dismiss: ['Dismissed', '已驳回'],
    recall: ['Message recalled', '已撤回消息'],
    mute: ['Sender muted', '已禁言'],
    freeze: ['Account frozen', '已冻结账号'],
  };
  const found = names[resolution];
  return found ? t(found[0], found[1]) : resolution;
}

function ReportsTab({ api, lang, t, powers }: PageProps) {
  const toast = useToast();
  const [status, setStatus] = useState<'open' | 'resolved' | ''>('open');
  const [source, setSource] = useState<'' | 'users' | 'words'>('');
  const [reports, setReports] = useState<Report[]>([]);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [chosen, setChosen] = useState<Report | null>(null);
  const mayAct = powers.has('moderation');

  const load = useCallback(
    async (before: number | null) => {
      setLoading(true);
      try {
        const page = await api.get<{ reports: Report[]; total: number; next: number | null }>('moderation/reports', { status, source, before });
        setReports((list) => (before === null ? page.reports : [...list, ...page.reports]));
        setTotal(page.total);
        setNext(page.next);
      } catch (error) {
        toast((error as Error).message, 'bad');
      } finally {
        setLoading(false);
      }
    },
    [api, status, source, toast],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const target = (r: Report) => {
    if (r.target_type === 'message') return `${t('Message', '消息')} · ${r.target_user_name ?? r.target_user_id ?? ''}${r.group_name ? ` · ${r.group_name}` : ''}`;
    if (r.target_type === 'user') return `${t('Person', '用户')} · ${r.target_user_name ?? r.target_user_id ?? ''}`;
    return `${t('Group', '群组')} · ${r.group_name ?? r.conversation_id ?? ''}`;
  };

  return (
    <>
      <Toolbar>
        <select aria-label={t('Status', '状态')} value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          <option value="open">{t('Open', '待处理')}</option>
          <option value="resolved">{t('Resolved', '已处理')}</option>
          <option value="">{t('All', '全部')}</option>
        </select>
        <select aria-label={t('Source', '来源')} value={source} onChange={(e) => setSource(e.target.value as typeof source)}>
          <option value="">{t('Reports and flags', '举报和敏感词')}</option>
          <option value="users">{t("Users' reports", '用户举报')}</option>
          <option value="words">{t('Flagged by the word list', '敏感词标记')}</option>
        </select>
        <span className="mod-count">{t(`${total} in all`, `共 ${total} 条`)}</span>
      </Toolbar>
      <Table
        rows={reports}
        rowKey={(r) => r.id}
        onRowClick={setChosen}
        empty={<EmptyState>{t('Nothing to review.', '没有待审核的内容。')}</EmptyState>}
        columns={[
          { key: 'when', title: t('When', '时间'), narrow: true, render: (r) => formatTime(r.created_at, lang) },
          { key: 'target', title: t('What', '对象'), render: (r) => target(r) },
          { key: 'excerpt', title: t('Content', '内容'), render: (r) => <span className="mod-excerpt">{r.excerpt}</span> },
          { key: 'reason', title: t('Reason', '原因'), render: (r) => reasonName(r.reason, t) },
          { key: 'by', title: t('Reported by', '举报人'), render: (r) => r.reporter_name ?? t('Word list', '敏感词') },
          {
            key: 'status',
            title: t('Status', '状态'),
            narrow: true,
            render: (r) => (r.status === 'open' ? <Badge tone="warn">{t('Open', '待处理')}</Badge> : <Badge tone="good">{resolutionName(r.resolution ?? '', t)}</Badge>),
          },
        ]}
      />
      <Pager hasMore={next !== null} loading={loading} onMore={() => void load(next)} label={t('More', '更多')} />
      {chosen && (
        <ReviewDialog
          report={chosen}
          mayAct={mayAct}
          {...{ api, lang, t }}
          onClose={() => setChosen(null)}
          onDone={(text) => {
            setChosen(null);
            toast(text);
            void load(null);
          }}
          target={target(chosen)}
        />
      )}
    </>
  );
}

function ReviewDialog({
  report,
  mayAct,
  api,
  lang,
  t,
  target,
  onClose,
  onDone,
}: Pick<PageProps, 'api' | 'lang' | 't'> & { report: Report; mayAct: boolean; target: string; onClose: () => void; onDone: (text: string) => void }) {
  const [note, setNote] = useState('');
  const [minutes, setMinutes] = useState(60);
  const [error, setError] = useState('');
  const resolve = async (action: 'dismiss' | 'recall' | 'mute' | 'freeze') => {
    setError('');
    try {
      await api.post(`moderation/reports/${report.id}/resolve`, { action, note, ...(action === 'mute' ? { mute_seconds: minutes * 60 } : {}) });
      onDone(resolutionName(action, t));
    } catch (e) {
      setError(e instanceof AdminError ? e.message : String(e));
    }
  };
  const open = report.status === 'open';
  const isMessage = report.target_type === 'message';
  const inGroup = isMessage && report.group_name !== null;
  const cancel = t('Cancel', '取消');
  return (
    <Dialog title={t('Review a report', '处理举报')} onClose={onClose} wide>
      <dl className="mod-facts">
        <dt>{t('What', '对象')}</dt>
        <dd>{target}</dd>
        <dt>{t('Content', '内容')}</dt>
        <dd className="mod-excerpt-full">{report.excerpt || '—'}</dd>
        <dt>{t('Reason', '原因')}</dt>
        <dd>{reasonName(report.reason, t)}</dd>
        {report.note && (
          <>
            <dt>{t('Note', '说明')}</dt>
            <dd>{report.note}</dd>
          </>
        )}
        <dt>{t('Reported', '举报时间')}</dt>
        <dd>
          {formatTime(report.created_at, lang)} · {report.reporter_name ?? t('Word list', '敏感词')}
        </dd>
        {!open && (
          <>
            <dt>{t('Resolved', '处理结果')}</dt>
            <dd>
              {resolutionName(report.resolution ?? '', t)} · {report.resolved_by_name} · {formatTime(report.resolved_at, lang)}
              {report.resolution_note && ` · ${report.resolution_note}`}
            </dd>
          </>
        )}
      </dl>
      {open && mayAct && (
        <div className="mod-actions">
          <Field label={t('Note for the record (optional)', '处理备注（可选）')}>
            <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
          </Field>
          <div className="mod-buttons">
            <ConfirmButton label={t('Dismiss', '驳回')} confirm={t('Dismiss it', '确认驳回')} cancel={cancel} onConfirm={() => resolve('dismiss')} />
            {isMessage && <ConfirmButton label={t('Recall the message', '撤回消息')} confirm={t('Recall', '确认撤回')} cancel={cancel} danger onConfirm={() => resolve('recall')} />}
            {inGroup && (
              <span className="mod-mute">
                <input type="number" min={1} max={43200} value={minutes} aria-label={t('Minutes', '分钟')} onChange={(e) => setMinutes(Math.max(1, Number(e.target.value) || 1))} />
                <span>{t('min', '分钟')}</span>
                <ConfirmButton label={t('Mute in the group', '群内禁言')} confirm={t('Mute', '确认禁言')} cancel={cancel} onConfirm={() => resolve('mute')} />
              </span>
            )}
            {report.target_type !== 'group' && report.target_user_id !== null && (
              <ConfirmButton label={t('Freeze the account', '冻结账号')} confirm={t('Freeze', '确认冻结')} cancel={cancel} danger onConfirm={() => resolve('freeze')} />
            )}
          </div>
        </div>
      )}
      {error && (
        <p className="adm-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}

function actionName(action: string, t: PageProps['t']): string {
  return action === 'block' ? t('Block', '拦截') : action === 'replace' ? t('Replace with ***', '替换为***') : t('Flag for review', '标记待审');
}

function WordsTab({ api, t, powers }: PageProps) {
  const toast = useToast();
  const mayChange = powers.has('moderation');
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<WordAction | ''>('');
  const [words, setWords] = useState<Word[]>([]);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [adding, setAdding] = useState(false);
  const [report, setReport] = useState<WordChange | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      try {
        const page = await api.get<{ words: Word[]; total: number; next: string | null }>('moderation/words', { q: query, action: filter, after });
        setWords((list) => (after === null ? page.words : [...list, ...page.words]));
        setTotal(page.total);
        setNext(page.next);
      } catch (error) {
        toast((error as Error).message, 'bad');
      } finally {
        setLoading(false);
      }
    },
    [api, query, filter, toast],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const change = async (call: () => Promise<WordChange>) => {
    try {
      const result = await call();
      setReport(result);
      toast(t(`${result.added} added, ${result.updated} changed`, `新增 ${result.added} 个，修改 ${result.updated} 个`));
      void load(null);
    } catch (error) {
      toast((error as Error).message, 'bad');
    }
  };
  const setAction = (word: string, action: WordAction) => change(() => api.post<WordChange>('moderation/words', { words: [{ word, action }] }));
  const remove = async (word: string) => {
    try {
      await api.post('moderation/words/remove', { words: [word] });
      toast(t('Removed', '已删除'));
      void load(null);
    } catch (error) {
      toast((error as Error).message, 'bad');
    }
  };
  const importFile = (file: File) =>
    change(() => api.postFile<WordChange>('moderation/words/import', file, { action: 'block' }));

  return (
    <>
      <Toolbar>
        <SearchBox value={query} onSearch={setQuery} placeholder={t('Search words', '搜索敏感词')} />
        <select aria-label={t('Action', '处理方式')} value={filter} onChange={(e) => setFilter(e.target.value as WordAction | '')}>
          <option value="">{t('Every action', '全部方式')}</option>
          <option value="block">{actionName('block', t)}</option>
          <option value="replace">{actionName('replace', t)}</option>
          <option value="flag">{actionName('flag', t)}</option>
        </select>
        <span className="mod-count">{t(`${total} words`, `共 ${total} 个`)}</span>
        {mayChange && (
          <>
            <button type="button" className="adm-button primary" onClick={() => setAdding(true)}>
              {t('Add words', '添加敏感词')}
            </button>
            <label className="adm-button mod-file">
              {t('Import a file', '导入文件')}
              <input
                type="file"
                accept=".txt,.csv,text/plain,text/csv"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  e.target.value = '';
                  if (file) void importFile(file);
                }}
              />
            </label>
          </>
        )}
      </Toolbar>
      {report && report.errors.length > 0 && (
        <div className="mod-errors" role="status">
          <strong>{t(`${report.errors.length} entries were not taken:`, `${report.errors.length} 条未导入：`)}</strong>
          <ul>
            {report.errors.slice(0, 20).map((e, i) => (
              <li key={i}>
                {e.line !== undefined ? t(`line ${e.line}`, `第 ${e.line} 行`) : `#${(e.index ?? 0) + 1}`} {e.word ? `“${e.word}”` : ''}: {e.message}
              </li>
            ))}
          </ul>
          <button type="button" className="adm-button" onClick={() => setReport(null)}>
            {t('Close', '关闭')}
          </button>
        </div>
      )}
      <Table
        rows={words}
        rowKey={(w) => w.word}
        empty={<EmptyState>{t('The word list is empty.', '敏感词列表为空。')}</EmptyState>}
        columns={[
          { key: 'word', title: t('Word', '敏感词'), render: (w) => <span className="mod-word">{w.word}</span> },
          {
            key: 'action',
            title: t('Action', '处理方式'),
            render: (w) =>
              mayChange ? (
                <select aria-label={`${t('Action', '处理方式')}: ${w.word}`} value={w.action} onChange={(e) => void setAction(w.word, e.target.value as WordAction)}>
                  <option value="block">{actionName('block', t)}</option>
                  <option value="replace">{actionName('replace', t)}</option>
                  <option value="flag">{actionName('flag', t)}</option>
                </select>
              ) : (
                actionName(w.action, t)
              ),
          },
          {
            key: 'remove',
            title: '',
            narrow: true,
            render: (w) => (mayChange ? <ConfirmButton label={t('Delete', '删除')} confirm={t('Delete', '确认删除')} cancel={t('Cancel', '取消')} danger onConfirm={() => remove(w.word)} /> : null),
          },
        ]}
      />
      <Pager hasMore={next !== null} loading={loading} onMore={() => void load(next)} label={t('More', '更多')} />
      {adding && <AddWords t={t} onClose={() => setAdding(false)} onAdd={(list, action) => change(() => api.post<WordChange>('moderation/words', { words: list, action })).then(() => setAdding(false))} />}
    </>
  );
}

function AddWords({ t, onClose, onAdd }: { t: PageProps['t']; onClose: () => void; onAdd: (words: string[], action: WordAction) => Promise<void> }) {
  const [text, setText] = useState('');
  const [action, setAction] = useState<WordAction>('block');
  const words = text
    .split(/[\n,，]/)
    .map((w) => w.trim())
    .filter(Boolean);
  return (
    <Dialog
      title={t('Add words', '添加敏感词')}
      onClose={onClose}
      footer={
        <button type="button" className="adm-button primary" disabled={words.length === 0} onClick={() => void onAdd(words, action)}>
          {t(`Add ${words.length}`, `添加 ${words.length} 个`)}
        </button>
      }
    >
      <Field label={t('Words, one a line', '敏感词，每行一个')} hint={t('Latin words match whole words in any case; Chinese anywhere.', '英文按整词匹配、不分大小写；中文在任意位置匹配。')}>
        <textarea rows={8} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <Field label={t('Action', '处理方式')}>
        <select value={action} onChange={(e) => setAction(e.target.value as WordAction)}>
          <option value="block">{actionName('block', t)}</option>
          <option value="replace">{actionName('replace', t)}</option>
          <option value="flag">{actionName('flag', t)}</option>
        </select>
      </Field>
    </Dialog>
  );
}
