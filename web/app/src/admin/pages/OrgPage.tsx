/**
 * The organization (K3, C3; decision 0060): the tree edited in place — create, rename, move by
 * drag and drop (HTML5 drag and drop with a mouse; the ⠿ handle with a finger or a pen, by
 * pointer events), hide, collaborate, delete empty departments — the people of a department
 * (positions, several departments each), and an import previewed as a readable diff before
 * "Apply", and exports. Every change is one REST call under /api/v1/admin/org/.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { AdminError } from '../AdminApi';
import type { PageProps } from '../pages';
import { ConfirmButton, Dialog, EmptyState, Field, SearchBox, Toolbar, useToast } from '../ui';
import './OrgPage.css';

interface Dept {
  id: number;
  parent_id: number | null;
  name: string;
  hidden: boolean;
  sort_order: number;
  member_count: number;
  partners: number[];
}

interface Tree {
  version: number;
  company: string;
  departments: Dept[];
}

interface Place {
  id: number;
  name: string;
  position: string;
}

interface Member {
  id: number;
  account: string;
  nickname: string;
  position: string;
  departments: Place[];
}

interface DepartmentPage {
  members: Member[];
  next_after_user_id: number | null;
}

interface Person {
  id: number;
  account: string;
  nickname: string;
}

type T = PageProps['t'];

/** A refusal in the console's words: the stable codes this page meets, else the server's text. */
function problem(error: unknown, t: T): string {
  if (!(error instanceof AdminError)) return String(error);
  const words: Record<string, string> = {
    cycle: t('A department cannot move below itself or its own sub-departments.', '部门不能移动到自身或其下级部门之下。'),
    department_not_empty: t('Only an empty department can be deleted: move its people and sub-departments first.', '只能删除空部门：请先移走其中的人员和下级部门。'),
    org_changed: t('The organization changed since the preview. Preview the file again.', '预览之后组织架构已变化，请重新预览。'),
    bad_file: t('The file cannot be read: ', '文件无法读取：') + error.message,
    not_found: t('It no longer exists (someone else may have changed it).', '对象已不存在（可能被他人修改）。'),
    forbidden: t('Your role may not do this.', '你的角色无权执行此操作。'),
    invalid_input: t('Check what you typed: ', '请检查输入：') + error.message,
  };
  return words[error.code] ?? error.message;
}

/** The tree as rows in display order, each with its depth. */
function flatten(tree: Tree, collapsed: ReadonlySet<number>): { dept: Dept; depth: number; hasChildren: boolean }[] {
  const children = new Map<number | null, Dept[]>();
  for (const d of tree.departments) {
    const list = children.get(d.parent_id) ?? [];
    list.push(d);
    children.set(d.parent_id, list);
  }
  const out: { dept: Dept; depth: number; hasChildren: boolean }[] = [];
  const visit = (parent: number | null, depth: number) => {
    for (const d of children.get(parent) ?? []) {
      const kids = children.get(d.id) ?? [];
      out.push({ dept: d, depth, hasChildren: kids.length > 0 });
      if (!collapsed.has(d.id) && depth < 64) visit(d.id, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}

/** The department and everything below it: where it may not be dropped. */
function subtree(tree: Tree, id: number): Set<number> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of tree.departments) {
      if (d.parent_id !== null && out.has(d.parent_id) && !out.has(d.id)) {
        out.add(d.id);
        grew = true;
      }
    }
  }
  return out;
}

function pathOf(tree: Tree, id: number): string {
  const byId = new Map(tree.departments.map((d) => [d.id, d]));
  const names: string[] = [];
  let node = byId.get(id);
  while (node && names.length < 64) {
    names.unshift(node.name);
    node = node.parent_id === null ? undefined : byId.get(node.parent_id);
  }
  return names.join('/');
}

// The top level as a drop target.
const TOP = 0;

export default function OrgPage({ api, t }: PageProps) {
  const toast = useToast();
  const [tree, setTree] = useState<Tree | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const [dragging, setDragging] = useState<number | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const [creating, setCreating] = useState<{ parent: number | null } | null>(null);
  const [importing, setImporting] = useState(false);

  const load = useCallback(async () => {
    try {
      setTree(await api.get<Tree>('org'));
    } catch (error) {
      toast(problem(error, t), 'bad');
    }
  }, [api, t, toast]);
  useEffect(() => void load(), [load]);

  /** One change, then the tree read again; a refusal shown in words. */
  const act = useCallback(
    async (change: () => Promise<unknown>, done?: string): Promise<boolean> => {
      try {
        await change();
        if (done) toast(done);
        return true;
      } catch (error) {
        toast(problem(error, t), 'bad');
        return false;
      } finally {
        await load();
      }
    },
    [load, t, toast],
  );

  const rows = useMemo(() => (tree ? flatten(tree, collapsed) : []), [tree, collapsed]);
  const forbidden = useMemo(() => (tree && dragging !== null ? subtree(tree, dragging) : new Set<number>()), [tree, dragging]);

  const move = useCallback(
    async (id: number, target: number) => {
      if (!tree) return;
      const dept = tree.departments.find((d) => d.id === id);
      const parent = target === TOP ? null : target;
      if (!dept || dept.parent_id === parent) return;
      await act(() => api.patch(`org/departments/${id}`, { parent_id: parent }), t('Moved', '已移动'));
    },
    [act, api, t, tree],
  );

  const dropAllowed = (target: number) => dragging !== null && (target === TOP || !forbidden.has(target));
  const endDrag = () => {
    setDragging(null);
    setOver(null);
  };

  // Touch and pen: the handle follows the finger; the row under it is the target.
  const pointerDrag = useRef<{ id: number; pointer: number } | null>(null);
  const targetAt = (x: number, y: number): number | null => {
    const element = document.elementFromPoint(x, y)?.closest<HTMLElement>('[data-drop-id]');
    return element ? Number(element.dataset.dropId) : null;
  };

  if (!tree) return <div className="adm-loading">{t('Loading…', '加载中…')}</div>;
  const current = tree.departments.find((d) => d.id === selected) ?? null;

  return (
    <section className="org-page">
      <Toolbar>
        <button type="button" className="adm-button primary" onClick={() => setCreating({ parent: null })}>
          {t('New department', '新建部门')}
        </button>
        <button type="button" className="adm-button" onClick={() => setImporting(true)}>
          {t('Import…', '导入…')}
        </button>
        <button type="button" className="adm-button" onClick={() => void api.download('org/export', { format: 'csv' }, 'organization.csv').catch((e: unknown) => toast(problem(e, t), 'bad'))}>
          {t('Export CSV', '导出 CSV')}
        </button>
        <button type="button" className="adm-button" onClick={() => void api.download('org/export', { format: 'xlsx' }, 'organization.xlsx').catch((e: unknown) => toast(problem(e, t), 'bad'))}>
          {t('Export Excel', '导出 Excel')}
        </button>
        <CompanyName tree={tree} t={t} onSave={(name) => act(() => api.put('org/company', { name }), t('Saved', '已保存'))} />
      </Toolbar>
      <div className="org-columns">
        <div className="org-tree-panel">
          <div
            className={`org-top-drop${dragging !== null ? ' active' : ''}${over === TOP ? ' over' : ''}`}
            data-drop-id={TOP}
            onDragOver={(e) => {
              if (!dropAllowed(TOP)) return;
              e.preventDefault();
              setOver(TOP);
            }}
            onDragLeave={() => setOver((o) => (o === TOP ? null : o))}
            onDrop={(e) => {
              e.preventDefault();
              if (dragging !== null) void move(dragging, TOP);
              endDrag();
            }}
          >
            {dragging !== null ? t('Drop here for the top level', '拖到这里成为顶级部门') : t('Drag a department onto another to move it', '把部门拖到另一个部门上即可移动')}
          </div>
          {rows.length === 0 && <EmptyState>{t('No departments yet', '还没有部门')}</EmptyState>}
          <ul className="org-tree" role="tree" aria-label={t('Departments', '部门')}>
            {rows.map(({ dept, depth, hasChildren }) => {
              const blocked = dragging !== null && forbidden.has(dept.id);
              const classes = [
                'org-row',
                selected === dept.id ? 'selected' : '',
                dragging === dept.id ? 'dragging' : '',
                over === dept.id ? 'over' : '',
                blocked ? 'blocked' : '',
              ];
              return (
                <li
                  key={dept.id}
                  role="treeitem"
                  aria-level={depth + 1}
                  aria-selected={selected === dept.id}
                  aria-expanded={hasChildren ? !collapsed.has(dept.id) : undefined}
                  className={classes.filter(Boolean).join(' ')}
                  style={{ paddingInlineStart: `${depth * 20 + 6}px` }}
                  data-drop-id={dept.id}
                  data-dept-name={dept.name}
                  draggable
                  tabIndex={0}
                  onClick={() => setSelected(dept.id)}
                  onKeyDown={(e) => e.key === 'Enter' && setSelected(dept.id)}
                  onDragStart={(e) => {
                    e.dataTransfer.setData('text/plain', String(dept.id));
                    e.dataTransfer.effectAllowed = 'move';
                    setDragging(dept.id);
                  }}
                  onDragEnd={endDrag}
                  onDragOver={(e) => {
                    if (!dropAllowed(dept.id)) return;
                    e.preventDefault();
                    e.dataTransfer.dropEffect = 'move';
                    setOver(dept.id);
                  }}
                  onDragLeave={() => setOver((o) => (o === dept.id ? null : o))}
                  onDrop={(e) => {
                    e.preventDefault();
                    e.stopPropagation();
                    if (dragging !== null && dropAllowed(dept.id)) void move(dragging, dept.id);
                    endDrag();
                  }}
                >
                  <button
                    type="button"
                    className="org-toggle"
                    aria-label={collapsed.has(dept.id) ? t('Expand', '展开') : t('Collapse', '收起')}
                    style={{ visibility: hasChildren ? 'visible' : 'hidden' }}
                    onClick={(e) => {
                      e.stopPropagation();
                      setCollapsed((old) => {
                        const next = new Set(old);
                        if (next.has(dept.id)) next.delete(dept.id);
                        else next.add(dept.id);
                        return next;
                      });
                    }}
                  >
                    {collapsed.has(dept.id) ? '▸' : '▾'}
                  </button>
                  <span
                    className="org-handle"
                    aria-hidden="true"
                    title={t('Drag to move', '拖动以移动')}
                    onPointerDown={(e) => {
                      if (e.pointerType === 'mouse') return; // the mouse drags the row itself
                      e.preventDefault();
                      try {
                        e.currentTarget.setPointerCapture(e.pointerId);
                      } catch {
                        // A pointer the browser no longer tracks: the moves still reach the handle.
                      }
                      pointerDrag.current = { id: dept.id, pointer: e.pointerId };
                      setDragging(dept.id);
                    }}
                    onPointerMove={(e) => {
                      if (pointerDrag.current?.pointer !== e.pointerId) return;
                      const target = targetAt(e.clientX, e.clientY);
                      setOver(target !== null && dropAllowed(target) ? target : null);
                    }}
                    onPointerUp={(e) => {
                      const drag = pointerDrag.current;
                      if (drag?.pointer !== e.pointerId) return;
                      pointerDrag.current = null;
                      const target = targetAt(e.clientX, e.clientY);
                      if (target !== null && dropAllowed(target)) void move(drag.id, target);
                      endDrag();
                    }}
                    onPointerCancel={() => {
                      pointerDrag.current = null;
                      endDrag();
                    }}
                  >
                    ⠿
                  </span>
                  <span className="org-name">{dept.name}</span>
                  {dept.hidden && <span className="adm-badge warn">{t('hidden', '隐藏')}</span>}
                  {dept.partners.length > 0 && <span className="adm-badge">{t('collaborates', '协作')}</span>}
                  <span className="org-count" title={t('People', '人数')}>
                    {dept.member_count}
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
        <div className="org-detail">
          {current ? (
            <DepartmentDetail key={current.id} api={api} t={t} tree={tree} dept={current} act={act} onCreateChild={() => setCreating({ parent: current.id })} onDeleted={() => setSelected(null)} />
          ) : (
            <EmptyState>{t('Choose a department to see its people and settings.', '选择一个部门以查看人员和设置。')}</EmptyState>
          )}
        </div>
      </div>
      {creating && (
        <CreateDialog
          t={t}
          parentPath={creating.parent === null ? null : pathOf(tree, creating.parent)}
          onClose={() => setCreating(null)}
          onCreate={async (name, hidden) => {
            let made: Dept | null = null;
            const ok = await act(async () => {
              made = await api.post<Dept>('org/departments', { name, parent_id: creating.parent, hidden });
            }, t('Department created', '部门已创建'));
            if (ok) {
              setCreating(null);
              if (made) setSelected((made as Dept).id);
            }
          }}
        />
      )}
      {importing && <ImportDialog api={api} t={t} onClose={() => setImporting(false)} onApplied={() => void load()} />}
    </section>
  );
}

function CompanyName({ tree, t, onSave }: { tree: Tree; t: T; onSave: (name: string) => Promise<boolean> }) {
  const [name, setName] = useState(tree.company);
  useEffect(() => setName(tree.company), [tree.company]);
  return (
    <form
      className="org-company"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim() && name !== tree.company) void onSave(name.trim());
      }}
    >
      <input aria-label={t('Company name', '公司名称')} placeholder={t('Company name', '公司名称')} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      {name !== tree.company && (
        <button type="submit" className="adm-button">
          {t('Save', '保存')}
        </button>
      )}
    </form>
  );
}

function CreateDialog({ t, parentPath, onClose, onCreate }: { t: T; parentPath: string | null; onClose: () => void; onCreate: (name: string, hidden: boolean) => Promise<void> }) {
  const [name, setName] = useState('');
  const [hidden, setHidden] = useState(false);
  return (
    <Dialog
      title={parentPath ? t(`New department in ${parentPath}`, `在 ${parentPath} 下新建部门`) : t('New top-level department', '新建顶级部门')}
      onClose={onClose}
      footer={
        <button type="submit" form="org-create" className="adm-button primary" disabled={!name.trim()}>
          {t('Create', '创建')}
        </button>
      }
    >
      <form
        id="org-create"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void onCreate(name.trim(), hidden);
        }}
      >
        <Field label={t('Name', '名称')}>
          <input name="department-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </Field>
        <label className="org-check">
          <input type="checkbox" checked={hidden} onChange={(e) => setHidden(e.target.checked)} />
          {t('Hidden: seen only by admins and its own members', '隐藏：仅管理员和本部门成员可见')}
        </label>
      </form>
    </Dialog>
  );
}

function DepartmentDetail({
  api,
  t,
  tree,
  dept,
  act,
  onCreateChild,
  onDeleted,
}: {
  api: PageProps['api'];
  t: T;
  tree: Tree;
  dept: Dept;
  act: (change: () => Promise<unknown>, done?: string) => Promise<boolean>;
  onCreateChild: () => void;
  onDeleted: () => void;
}) {
  const toast = useToast();
  const [name, setName] = useState(dept.name);
  const [members, setMembers] = useState<Member[]>([]);
  const [more, setMore] = useState<number | null>(null);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Person[]>([]);
  const [position, setPosition] = useState('');
  useEffect(() => setName(dept.name), [dept.name]);

  const loadMembers = useCallback(
    async (after = 0) => {
      try {
        const page = await api.get<DepartmentPage>(`org/departments/${dept.id}`, { after_user_id: after, limit: 200 });
        setMembers((old) => (after ? [...old, ...page.members] : page.members));
        setMore(page.next_after_user_id);
      } catch (error) {
        toast(problem(error, t), 'bad');
      }
    },
    [api, dept.id, t, toast],
  );
  useEffect(() => void loadMembers(), [loadMembers, dept.member_count]);

  useEffect(() => {
    if (!query.trim()) {
      setFound([]);
      return;
    }
    let live = true;
    api
      .get<{ users: Person[] }>('org/people', { q: query.trim(), limit: 20 })
      .then((r) => live && setFound(r.users))
      .catch((e: unknown) => toast(problem(e, t), 'bad'));
    return () => {
      live = false;
    };
  }, [api, query, t, toast]);

  const below = subtree(tree, dept.id);
  const parents = tree.departments.filter((d) => !below.has(d.id));
  const path = pathOf(tree, dept.id);
  const nameOf = (id: number) => tree.departments.find((d) => d.id === id)?.name ?? `#${id}`;
  const inHere = new Set(members.map((m) => m.id));

  return (
    <div className="org-detail-inner">
      <header className="org-detail-head">
        <h2>{path}</h2>
        <span className="adm-badge">{t(`${dept.member_count} people`, `${dept.member_count} 人`)}</span>
      </header>
      <form
        className="org-inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() && name !== dept.name) void act(() => api.patch(`org/departments/${dept.id}`, { name: name.trim() }), t('Renamed', '已重命名'));
        }}
      >
        <Field label={t('Name', '名称')}>
          <input name="rename" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit" className="adm-button" disabled={!name.trim() || name === dept.name}>
          {t('Rename', '重命名')}
        </button>
      </form>
      <div className="org-inline">
        <Field label={t('Parent department', '上级部门')}>
          <select
            name="parent"
            value={dept.parent_id ?? ''}
            onChange={(e) => void act(() => api.patch(`org/departments/${dept.id}`, { parent_id: e.target.value ? Number(e.target.value) : null }), t('Moved', '已移动'))}
          >
            <option value="">{t('(top level)', '（顶级）')}</option>
            {parents.map((d) => (
              <option key={d.id} value={d.id}>
                {pathOf(tree, d.id)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('Order', '排序')}>
          <input
            type="number"
            min={0}
            max={1000000}
            defaultValue={dept.sort_order}
            className="org-order"
            onBlur={(e) => {
              const value = Number(e.target.value);
              if (Number.isInteger(value) && value !== dept.sort_order) void act(() => api.patch(`org/departments/${dept.id}`, { sort_order: value }));
            }}
          />
        </Field>
      </div>
      <label className="org-check">
        <input type="checkbox" name="hidden" checked={dept.hidden} onChange={(e) => void act(() => api.patch(`org/departments/${dept.id}`, { hidden: e.target.checked }))} />
        {t('Hidden: seen only by admins and its own members', '隐藏：仅管理员和本部门成员可见')}
      </label>
      <div className="org-partners">
        <span className="adm-field-label">{t('Collaborates with (they see each other)', '协作部门（互相可见）')}</span>
        <div className="org-chips">
          {dept.partners.map((p) => (
            <span key={p} className="org-chip">
              {pathOf(tree, p)}
              <button type="button" aria-label={t(`Stop collaborating with ${nameOf(p)}`, `取消与 ${nameOf(p)} 协作`)} onClick={() => void act(() => api.put('org/collaborations', { department_id: dept.id, partner_id: p, on: false }))}>
                ×
              </button>
            </span>
          ))}
          <select
            aria-label={t('Add a collaborating department', '添加协作部门')}
            value=""
            onChange={(e) => e.target.value && void act(() => api.put('org/collaborations', { department_id: dept.id, partner_id: Number(e.target.value), on: true }))}
          >
            <option value="">{t('+ Add…', '+ 添加…')}</option>
            {tree.departments
              .filter((d) => d.id !== dept.id && !dept.partners.includes(d.id))
              .map((d) => (
                <option key={d.id} value={d.id}>
                  {pathOf(tree, d.id)}
                </option>
              ))}
          </select>
        </div>
      </div>
      <div className="org-actions">
        <button type="button" className="adm-button" onClick={onCreateChild}>
          {t('New sub-department', '新建下级部门')}
        </button>
        <ConfirmButton
          label={t('Delete department', '删除部门')}
          confirm={t('Delete it', '确认删除')}
          cancel={t('Cancel', '取消')}
          danger
          onConfirm={async () => {
            if (await act(() => api.del(`org/departments/${dept.id}`), t('Department deleted', '部门已删除'))) onDeleted();
          }}
        />
      </div>

      <h3>{t('People', '人员')}</h3>
      {members.length === 0 ? (
        <EmptyState>{t('Nobody in this department', '该部门暂无人员')}</EmptyState>
      ) : (
        <ul className="org-people">
          {members.map((m) => (
            <li key={m.id} data-user-id={m.id}>
              <span className="org-person">
                <strong>{m.nickname}</strong> <small>{m.account}</small>
              </span>
              <input
                className="org-position"
                aria-label={t(`Position of ${m.nickname}`, `${m.nickname} 的职位`)}
                placeholder={t('Position', '职位')}
                defaultValue={m.position}
                maxLength={64}
                onBlur={(e) => {
                  if (e.target.value !== m.position) void act(() => api.put(`org/departments/${dept.id}/members/${m.id}`, { position: e.target.value }), t('Saved', '已保存'));
                }}
                onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
              />
              <span className="org-also">
                {m.departments
                  .filter((d) => d.id !== dept.id)
                  .map((d) => (
                    <span key={d.id} className="adm-badge">
                      {pathOf(tree, d.id)}
                    </span>
                  ))}
              </span>
              <button type="button" className="adm-button" onClick={() => void act(() => api.del(`org/departments/${dept.id}/members/${m.id}`), t('Removed from the department', '已移出部门'))}>
                {t('Remove', '移出')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {more !== null && (
        <button type="button" className="adm-button" onClick={() => void loadMembers(more)}>
          {t('More', '更多')}
        </button>
      )}
      <div className="org-add">
        <span className="adm-field-label">{t('Add people (they keep their other departments)', '添加人员（保留其所在的其他部门）')}</span>
        <div className="org-inline">
          <SearchBox value={query} onSearch={setQuery} placeholder={t('Search by name or account', '按姓名或账号搜索')} />
          <input className="org-position" placeholder={t('Position', '职位')} value={position} maxLength={64} onChange={(e) => setPosition(e.target.value)} aria-label={t('Position for who you add', '所添加人员的职位')} />
        </div>
        <ul className="org-found">
          {found.map((p) => (
            <li key={p.id}>
              <span>
                <strong>{p.nickname}</strong> <small>{p.account}</small>
              </span>
              <button type="button" className="adm-button" disabled={inHere.has(p.id)} onClick={() => void act(() => api.put(`org/departments/${dept.id}/members/${p.id}`, { position }), t('Added', '已添加'))}>
                {inHere.has(p.id) ? t('Already here', '已在部门中') : t('Add', '添加')}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

// Import: a preview first, as a diff, then "Apply" with the previewed plan's id.

interface PlanPlace {
  department: string;
  position: string;
}

interface PlanPerson {
  user_id: number | null;
  account: string;
  nickname: string;
  new_nickname?: string | null;
  before: PlanPlace[];
  after: PlanPlace[];
}

interface Plan {
  dry_run: boolean;
  applied: boolean;
  plan_id: string;
  mode: 'merge' | 'sync';
  rows: number;
  changes: number;
  departments: {
    create: { path: string }[];
    rename: { id: number; path: string; name: string }[];
    move: { id: number; path: string; to: string }[];
    remove: { id: number; path: string }[];
    kept: { id: number; path: string; reason: string }[];
  };
  people: {
    create: PlanPerson[];
    update: PlanPerson[];
    move: PlanPerson[];
    disable: { user_id: number; account: string; nickname: string }[];
  };
  rejected: { row: number; department: string; account: string; reason: string }[];
  passwords: { account: string; user_id: number; password: string }[];
}

function places(list: PlanPlace[], t: T): string {
  if (list.length === 0) return t('(no department)', '（无部门）');
  return list.map((p) => (p.position ? `${p.department} (${p.position})` : p.department)).join(', ');
}

function ImportDialog({ api, t, onClose, onApplied }: { api: PageProps['api']; t: T; onClose: () => void; onApplied: () => void }) {
  const toast = useToast();
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<'merge' | 'sync'>('merge');
  const [plan, setPlan] = useState<Plan | null>(null);
  const [applied, setApplied] = useState<Plan | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError('');
    try {
      const format = file.name.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
      const result = await api.postFile<Plan>('org/import', file, { mode, dry_run: dryRun, format, plan_id: dryRun ? undefined : plan?.plan_id });
      if (dryRun) setPlan(result);
      else {
        setApplied(result);
        setPlan(null);
        toast(t('Import applied', '导入已执行'));
        onApplied();
      }
    } catch (e) {
      setError(problem(e, t));
      if (e instanceof AdminError && e.code === 'org_changed') setPlan(null);
    } finally {
      setBusy(false);
    }
  };

  const footer = applied ? (
    <button type="button" className="adm-button primary" onClick={onClose}>
      {t('Done', '完成')}
    </button>
  ) : (
    <>
      <button type="button" className="adm-button" disabled={!file || busy} onClick={() => void send(true)}>
        {t('Preview', '预览')}
      </button>
      <button type="button" className="adm-button primary" disabled={!plan || busy || plan.changes === 0} onClick={() => void send(false)}>
        {plan ? t(`Apply ${plan.changes} changes`, `执行 ${plan.changes} 项变更`) : t('Apply', '执行')}
      </button>
    </>
  );

  return (
    <Dialog title={t('Import the organization', '导入组织架构')} onClose={onClose} footer={footer} wide>
      {!applied && (
        <div className="org-import-form">
          <p className="org-hint">
            {t(
              'Columns: department (a path like Company/Sales), and optionally department_id (from an export: renames and moves), account, nickname (creates a new account), position. Nothing changes until you apply the preview.',
              '列：department（部门路径，如 公司/销售部），可选 department_id（来自导出，用于重命名和移动）、account、nickname（用于新建账号）、position。预览后点击执行才会生效。',
            )}
          </p>
          <input
            type="file"
            name="org-file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setPlan(null);
            }}
          />
          <fieldset className="org-mode">
            <label>
              <input type="radio" name="mode" checked={mode === 'merge'} onChange={() => (setMode('merge'), setPlan(null))} />
              {t('Merge: add and update what the file names', '合并：新增和更新文件中的内容')}
            </label>
            <label>
              <input type="radio" name="mode" checked={mode === 'sync'} onChange={() => (setMode('sync'), setPlan(null))} />
              {t('Sync: also disable people and remove departments missing from the file', '同步：同时停用文件中没有的人员、删除文件中没有的部门')}
            </label>
          </fieldset>
        </div>
      )}
      {error && (
        <p className="org-error" role="alert">
          {error}
        </p>
      )}
      {plan && <PlanView plan={plan} t={t} />}
      {applied && (
        <>
          <p>{t(`Applied: ${applied.changes} changes.`, `已执行：${applied.changes} 项变更。`)}</p>
          {applied.passwords.length > 0 && (
            <div className="org-passwords">
              <p>{t('One-time passwords of the new accounts (shown once; each must be changed at the first sign-in):', '新账号的一次性密码（仅显示一次，首次登录须修改）：')}</p>
              <ul>
                {applied.passwords.map((p) => (
                  <li key={p.user_id}>
                    {p.account}: <code>{p.password}</code>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </Dialog>
  );
}

function PlanSection({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  if (count === 0) return null;
  return (
    <section className="org-plan-section">
      <h4>
        {title} <span className="adm-badge">{count}</span>
      </h4>
      <ul>{children}</ul>
    </section>
  );
}

function PlanView({ plan, t }: { plan: Plan; t: T }) {
  const d = plan.departments;
  const p = plan.people;
  return (
    <div className="org-plan" aria-label={t('Preview', '预览')}>
      <p className="org-plan-summary">
        {plan.changes === 0
          ? t(`No changes: the organization already matches the file (${plan.rows} rows).`, `无变更：组织架构已与文件一致（共 ${plan.rows} 行）。`)
          : t(`${plan.changes} changes from ${plan.rows} rows.`, `${plan.rows} 行产生 ${plan.changes} 项变更。`)}
        {plan.rejected.length > 0 && ' ' + t(`${plan.rejected.length} rows rejected (see below).`, `${plan.rejected.length} 行被拒绝（见下方）。`)}
      </p>
      <PlanSection title={t('Departments to create', '新建部门')} count={d.create.length}>
        {d.create.map((x) => (
          <li key={x.path} className="add">
            + {x.path}
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('Departments to rename', '重命名部门')} count={d.rename.length}>
        {d.rename.map((x) => (
          <li key={x.id} className="change">
            ~ {x.path} → {x.name}
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('Departments to move', '移动部门')} count={d.move.length}>
        {d.move.map((x) => (
          <li key={x.id} className="change">
            ↷ {x.path} → {x.to}
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('Departments to remove', '删除部门')} count={d.remove.length}>
        {d.remove.map((x) => (
          <li key={x.id} className="remove">
            − {x.path}
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('People to create', '新建人员')} count={p.create.length}>
        {p.create.map((x) => (
          <li key={x.account} className="add">
            + {x.nickname} ({x.account}): {places(x.after, t)}
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('People to update', '更新人员')} count={p.update.length}>
        {p.update.map((x) => (
          <li key={x.account} className="change">
            ~ {x.nickname} ({x.account}){x.new_nickname ? ` → ${x.new_nickname}` : ''}: {places(x.before, t)} → {places(x.after, t)}
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('People to move', '调动人员')} count={p.move.length}>
        {p.move.map((x) => (
          <li key={x.account} className="change">
            ↷ {x.nickname} ({x.account}): {places(x.before, t)} → {places(x.after, t)}
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('People to disable', '停用人员')} count={p.disable.length}>
        {p.disable.map((x) => (
          <li key={x.user_id} className="remove">
            − {x.nickname} ({x.account})
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('Kept although missing from the file', '文件中没有但保留')} count={d.kept.length}>
        {d.kept.map((x) => (
          <li key={x.id}>
            {x.path}: {x.reason}
          </li>
        ))}
      </PlanSection>
      <PlanSection title={t('Rejected rows', '被拒绝的行')} count={plan.rejected.length}>
        {plan.rejected.map((r) => (
          <li key={`${r.row}-${r.reason}`} className="remove">
            {t(`Row ${r.row}`, `第 ${r.row} 行`)} ({[r.department, r.account].filter(Boolean).join(', ')}): {r.reason}
          </li>
        ))}
      </PlanSection>
    </div>
  );
}
