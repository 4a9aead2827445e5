/**
 * Groups (PRODUCT.md K2): every group found by name, number or owner; a panel per group with
 * its members (make one the owner), assigning members, the size limit and join mode, and
 * disbanding (asked twice).
 */
import { useCallback, useEffect, useState } from 'react';
import type { PageProps } from '../pages';
import { Badge, ConfirmButton, Dialog, EmptyState, Field, Pager, SearchBox, Table, Toolbar, formatTime, useToast } from '../ui';
import { refusal, type GroupDetails, type GroupMember, type ListedGroup, type UserPage } from './people';
import './UsersPage.css';

const JOIN_MODES: Record<string, [string, string]> = {
  open: ['Anyone may join', '任何人可加入'],
  approval: ['Joins need approval', '需审批'],
  invite_code: ['By invitation', '邀请加入'],
  back_office: ['Assigned by the back office', '后台分配'],
};

export default function GroupsPage(props: PageProps) {
  const { api, t, lang } = props;
  const toast = useToast();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [groups, setGroups] = useState<ListedGroup[]>([]);
  const [after, setAfter] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const mode = (m: string) => t(...(JOIN_MODES[m] ?? [m, m]));

  const load = useCallback(
    async (text: string, state: string, from: number | null) => {
      setLoading(true);
      try {
        const page = await api.get<{ groups: ListedGroup[]; next_after_id: number | null }>('groups', { q: text, status: state, after_id: from, limit: 50 });
        setGroups((list) => (from ? [...list, ...page.groups] : page.groups));
        setAfter(page.next_after_id);
      } catch (error) {
        toast(refusal(error, t), 'bad');
      } finally {
        setLoading(false);
      }
    },
    [api, t, toast],
  );
  useEffect(() => void load(q, status, null), [q, status, load]);
  const changed = (g: ListedGroup) => setGroups((list) => list.map((x) => (x.id === g.id ? { ...x, ...g } : x)));

  return (
    <section className="adm-groups">
      <Toolbar>
        <SearchBox value={q} onSearch={setQ} placeholder={t('Group name, number or owner account', '群名称、群号或群主账号')} />
        <select aria-label={t('Status', '状态')} value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t('Any status', '全部状态')}</option>
          <option value="live">{t('Active', '正常')}</option>
          <option value="disbanded">{t('Disbanded', '已解散')}</option>
        </select>
      </Toolbar>
      <Table
        columns={[
          { key: 'number', title: t('Number', '群号'), narrow: true, render: (g) => g.number },
          { key: 'name', title: t('Name', '群名称'), render: (g) => g.name },
          { key: 'owner', title: t('Owner', '群主'), render: (g) => (g.owner ? `${g.owner.nickname} (${g.owner.account})` : '—') },
          { key: 'members', title: t('Members', '成员'), narrow: true, render: (g) => `${g.member_count} / ${g.size_limit}` },
          { key: 'mode', title: t('Joining', '加入方式'), narrow: true, render: (g) => mode(g.join_mode) },
          {
            key: 'status',
            title: t('Status', '状态'),
            narrow: true,
            render: (g) => (g.disbanded_at ? <Badge tone="bad">{t('Disbanded', '已解散')}</Badge> : <Badge tone="good">{t('Active', '正常')}</Badge>),
          },
          { key: 'created', title: t('Created', '创建时间'), narrow: true, render: (g) => formatTime(g.created_at, lang) },
        ]}
        rows={groups}
        rowKey={(g) => g.id}
        selectedKey={open}
        onRowClick={(g) => setOpen(g.id)}
        empty={<EmptyState>{loading ? t('Loading…', '加载中…') : t('No group matches.', '没有符合条件的群。')}</EmptyState>}
      />
      <Pager hasMore={after !== null} loading={loading} onMore={() => load(q, status, after)} label={t('Load more', '加载更多')} />
      {open !== null && <GroupPanel {...props} groupId={open} modeName={mode} onClose={() => setOpen(null)} onChanged={changed} />}
    </section>
  );
}

function GroupPanel({
  api,
  t,
  lang,
  groupId,
  modeName,
  onClose,
  onChanged,
}: PageProps & { groupId: number; modeName: (m: string) => string; onClose: () => void; onChanged: (g: ListedGroup) => void }) {
  const toast = useToast();
  const [group, setGroup] = useState<GroupDetails | null>(null);
  const [members, setMembers] = useState<GroupMember[]>([]);
  const [limit, setLimit] = useState('');
  const [assign, setAssign] = useState('');

  const reload = useCallback(async () => {
    const found = await api.get<GroupDetails>(`groups/${groupId}`, { limit: 100 });
    setGroup(found);
    setMembers(found.members);
    setLimit(found.own_size_limit === null ? '' : String(found.own_size_limit));
    onChanged(found);
  }, [api, groupId, onChanged]);
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
  if (!group) {
    return (
      <Dialog title={t('Group', '群')} onClose={onClose} wide>
        <p>{t('Loading…', '加载中…')}</p>
      </Dialog>
    );
  }
  const live = group.disbanded_at === null;
  const moreMembers = async () => {
    const last = members[members.length - 1];
    const page = await api.get<GroupDetails>(`groups/${group.id}`, { limit: 100, after_user_id: last?.user_id ?? 0 });
    setMembers((list) => [...list, ...page.members]);
    setGroup({ ...group, next_after_user_id: page.next_after_user_id });
  };
  /** Accounts (or ids) typed by the admin, each found exactly among the users. */
  const assignPeople = () =>
    act(async () => {
      const ids: number[] = [];
      for (const word of assign.split(/[\s,;，；]+/).filter(Boolean)) {
        if (/^\d+$/.test(word)) {
          ids.push(Number(word));
          continue;
        }
        const found = await api.get<UserPage>('users', { q: word, limit: 20 });
        const user = found.users.find((u) => u.account === word.toLowerCase());
        if (!user) throw new Error(t(`No user has the account ${word}.`, `没有账号为 ${word} 的用户。`));
        ids.push(user.id);
      }
      if (ids.length === 0) return;
      await api.post(`groups/${group.id}/assign`, { user_ids: ids });
      setAssign('');
    }, t('Members assigned', '已分配成员'));
  const saveLimits = (changes: Record<string, unknown>) => act(() => api.patch(`groups/${group.id}`, changes), t('Saved', '已保存'));

  return (
    <Dialog title={`${group.name} · ${group.number}`} onClose={onClose} wide>
      <div className="adm-users-panel">
        <section>
          <dl className="adm-users-dl">
            <dt>{t('Owner', '群主')}</dt>
            <dd>{group.owner ? `${group.owner.nickname} (${group.owner.account})` : '—'}</dd>
            <dt>{t('Members', '成员')}</dt>
            <dd>
              {group.member_count} / {group.size_limit}
            </dd>
            <dt>{t('Created', '创建时间')}</dt>
            <dd>{formatTime(group.created_at, lang)}</dd>
            {!live && (
              <>
                <dt>{t('Disbanded', '已解散')}</dt>
                <dd>{formatTime(group.disbanded_at, lang)}</dd>
              </>
            )}
          </dl>
          {live && (
            <div className="adm-users-actions">
              <ConfirmButton
                danger
                label={t('Disband', '解散群')}
                confirm={t('Disband for everyone', '确认解散')}
                cancel={t('Cancel', '取消')}
                onConfirm={() => act(() => api.post(`groups/${group.id}/disband`), t('Group disbanded', '群已解散'))}
              />
            </div>
          )}
        </section>
        {live && (
          <section>
            <h3>{t('Size and joining', '人数上限与加入方式')}</h3>
            <div className="adm-users-form">
              <Field label={t('Size limit', '人数上限')} hint={t(`Empty: the server's ${group.server_size_limit}`, `留空：使用服务器上限 ${group.server_size_limit}`)}>
                <input type="number" min={group.member_count} max={group.server_size_limit} value={limit} onChange={(e) => setLimit(e.target.value)} />
              </Field>
              <Field label={t('Joining', '加入方式')}>
                <select value={group.join_mode} onChange={(e) => saveLimits({ join_mode: e.target.value })}>
                  {Object.keys(JOIN_MODES).map((m) => (
                    <option key={m} value={m}>
                      {modeName(m)}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <div className="adm-users-actions">
              <button type="button" className="adm-button" onClick={() => saveLimits({ size_limit: limit === '' ? null : Number(limit) })}>
                {t('Save limit', '保存上限')}
              </button>
            </div>
            <h3>{t('Assign members', '分配成员')}</h3>
            <div className="adm-groups-assign">
              <input aria-label={t('Accounts to assign', '要分配的账号')} placeholder={t('Accounts, separated by commas', '账号，用逗号分隔')} value={assign} onChange={(e) => setAssign(e.target.value)} />
              <button type="button" className="adm-button primary" onClick={assignPeople} disabled={!assign.trim()}>
                {t('Assign', '分配')}
              </button>
            </div>
          </section>
        )}
        <section>
          <h3>{t('Members', '成员')}</h3>
          <Table
            columns={[
              { key: 'name', title: t('Name', '姓名'), render: (m: GroupMember) => m.nickname },
              {
                key: 'role',
                title: t('Role', '角色'),
                narrow: true,
                render: (m: GroupMember) => (m.role === 'owner' ? <Badge tone="warn">{t('Owner', '群主')}</Badge> : m.role === 'admin' ? t('Admin', '管理员') : t('Member', '成员')),
              },
              {
                key: 'actions',
                title: '',
                narrow: true,
                render: (m: GroupMember) =>
                  live && m.role !== 'owner' ? (
                    <ConfirmButton label={t('Make owner', '设为群主')} confirm={t('Make owner now', '确认转让')} cancel={t('Cancel', '取消')} onConfirm={() => act(() => api.post(`groups/${group.id}/owner`, { user_id: m.user_id }), t('Owner changed', '群主已变更'))} />
                  ) : null,
              },
            ]}
            rows={members}
            rowKey={(m) => m.user_id}
          />
          <Pager hasMore={group.next_after_user_id !== null} loading={false} onMore={() => void moreMembers()} label={t('More members', '更多成员')} />
        </section>
      </div>
    </Dialog>
  );
}
