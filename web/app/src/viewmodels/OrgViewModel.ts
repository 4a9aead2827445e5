/**
 * The organization tree (C1, C4): company, departments to any depth, the people in each with
 * their positions, and a search over departments and people. The server shows only what the
 * visibility rules let this user see; the tree is refetched when it changes (`org_changed`).
 */
import { errorCode, type Client, type OrgDepartment, type PathItem, type UserId } from '@tidings/sdk';
import type { NameBook } from './NameBook';
import { ViewModel } from './ViewModel';

export interface OrgNode {
  id: number;
  name: string;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
  memberCount: number;
  hidden: boolean;
  selected: boolean;
}

export interface OrgPerson {
  id: UserId;
  name: string;
  detail: string;
  online: boolean | undefined;
}

/**
 * A department's place in the tree as breadcrumbs from the top, each one a department to open
 * (`path_items`; from the `A/B/C` string, with no ids, when a server sends only that).
 */
export interface Crumb {
  id: number | null;
  name: string;
}

export function crumbsOf(path: string, items: readonly PathItem[] | undefined): Crumb[] {
  if (items && items.length > 0) return items.map((i) => ({ id: i.id, name: i.name }));
  return path ? path.split('/').map((name) => ({ id: null, name })) : [];
}

export interface OrgSnapshot {
  loading: boolean;
  error: string | null;
  company: string;
  /** The visible rows of the tree, parents before children. */
  nodes: OrgNode[];
  department: { id: number; path: string; crumbs: Crumb[]; members: OrgPerson[]; more: boolean; loading: boolean } | null;
  query: string;
  results: { departments: { id: number; name: string; path: string; crumbs: Crumb[] }[]; people: OrgPerson[]; searching: boolean } | null;
}

const PAGE = 200;

export class OrgViewModel extends ViewModel<OrgSnapshot> {
  private departments: OrgDepartment[] = [];
  private readonly expanded = new Set<number>();
  private loaded = false;
  private selected: number | null = null;
  private members: OrgPerson[] = [];
  private path = '';
  private crumbs: Crumb[] = [];
  private nextAfter: UserId | null = null;
  private departmentLoading = false;
  /** Bumped by every department chosen: a page asked for an earlier choice is dropped. */
  private choice = 0;
  private query = '';
  private results: OrgSnapshot['results'] = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    private readonly searchDelayMs = 200,
  ) {
    super({ loading: false, error: null, company: '', nodes: [], department: null, query: '', results: null });
    this.track(
      client.on('orgChanged', () => {
        if (this.loaded) void this.load();
      }),
    );
    this.track(
      client.on('state', ({ state }) => {
        // The tree may have changed while away (the push is not replayed).
        if (state === 'connected' && this.loaded) void this.load();
      }),
    );
    this.track(client.on('presence', () => this.refresh()));
    this.track(() => {
      if (this.timer) clearTimeout(this.timer);
    });
  }

  /** The section was opened: load the tree once. */
  async open(): Promise<void> {
    if (!this.loaded) await this.load();
  }

  async load(): Promise<void> {
    this.update({ loading: true });
    try {
      const tree = await this.client.request('org.tree', undefined);
      this.departments = tree.departments;
      this.loaded = true;
      // Top-level departments start open: the first thing people look for is their team.
      if (this.expanded.size === 0) for (const d of tree.departments) if (d.parent_id === null) this.expanded.add(d.id);
      this.update({ loading: false, error: null, company: tree.company });
      if (this.selected !== null) {
        if (this.departments.some((d) => d.id === this.selected)) await this.selectDepartment(this.selected);
        else this.selected = null;
      }
    } catch (error) {
      this.update({ loading: false, error: errorCode(error) });
    }
    this.refresh();
  }

  toggle(id: number): void {
    if (this.expanded.has(id)) this.expanded.delete(id);
    else this.expanded.add(id);
    this.refresh();
  }

  async selectDepartment(id: number): Promise<void> {
    this.selected = id;
    this.choice += 1;
    this.members = [];
    this.nextAfter = null;
    if (this.crumbs[this.crumbs.length - 1]?.id !== id) this.crumbs = [];
    this.departmentLoading = true;
    // Show where it is in the tree.
    for (let parent = this.departments.find((d) => d.id === id)?.parent_id ?? null; parent !== null; ) {
      this.expanded.add(parent);
      parent = this.departments.find((d) => d.id === parent)?.parent_id ?? null;
    }
    this.refresh();
    await this.loadMembers(id, 0);
  }

  async loadMore(): Promise<void> {
    if (this.selected !== null && this.nextAfter !== null && !this.departmentLoading) {
      this.departmentLoading = true;
      await this.loadMembers(this.selected, this.nextAfter);
    }
  }

  private async loadMembers(id: number, after: UserId): Promise<void> {
    const choice = this.choice;
    try {
      const page = await this.client.request('org.department', { department_id: id, after_user_id: after, limit: PAGE });
      // Chosen again meanwhile (the same one too: the tab's first department, then a search
      // result opening it): that choice's own page comes; this one would add them twice.
      if (this.selected !== id || this.choice !== choice) return;
      // "Company/Sales/East" reads better as "Company › Sales › East".
      this.path = page.path.split('/').join(' › ');
      this.crumbs = crumbsOf(page.path, page.path_items);
      this.members = [
        ...this.members,
        ...page.members.map((m) => ({ id: m.id, name: this.names.remark(m.id) || m.nickname, detail: m.position, online: this.client.isOnline(m.id) })),
      ];
      this.names.learn(page.members.map((m) => ({ user_id: m.id, nickname: m.nickname, role: 'member', avatar: m.avatar })));
      this.nextAfter = page.next_after_user_id;
    } catch (error) {
      this.update({ error: errorCode(error) });
    }
    this.departmentLoading = false;
    this.refresh();
  }

  /**
   * A breadcrumb or a search result was clicked: leave the search, open that department with
   * its sub-departments showing in the tree.
   */
  async openDepartment(id: number): Promise<void> {
    if (this.query) this.search('');
    this.expanded.add(id);
    await this.selectDepartment(id);
  }

  search(query: string): void {
    this.query = query;
    if (this.timer) clearTimeout(this.timer);
    this.generation += 1;
    const trimmed = query.trim();
    this.results = trimmed ? { departments: [], people: [], searching: true } : null;
    this.refresh();
    if (!trimmed) return;
    const generation = this.generation;
    this.timer = setTimeout(() => void this.runSearch(trimmed, generation), this.searchDelayMs);
  }

  private async runSearch(query: string, generation: number): Promise<void> {
    try {
      const reply = await this.client.request('org.search', { query, limit: 30 });
      if (generation !== this.generation) return;
      this.results = {
        departments: reply.departments.map((d) => ({
          id: d.id,
          name: d.name,
          path: d.path.split('/').join(' › '),
          crumbs: crumbsOf(d.path, d.path_items),
        })),
        people: reply.users.map((u) => ({
          id: u.id,
          name: u.remark || u.nickname,
          detail: u.departments.map((d) => (d.position ? `${d.name} · ${d.position}` : d.name)).join(', '),
          online: this.client.isOnline(u.id),
        })),
        searching: false,
      };
    } catch (error) {
      if (generation !== this.generation) return;
      this.results = { departments: [], people: [], searching: false };
      this.update({ error: errorCode(error) });
    }
    this.refresh();
  }

  private refresh(): void {
    const children = new Map<number | null, OrgDepartment[]>();
    const ids = new Set(this.departments.map((d) => d.id));
    for (const d of this.departments) {
      // A parent the user may not see: show the department at the top.
      const parent = d.parent_id !== null && ids.has(d.parent_id) ? d.parent_id : null;
      children.set(parent, [...(children.get(parent) ?? []), d]);
    }
    const nodes: OrgNode[] = [];
    const walk = (parent: number | null, depth: number) => {
      for (const d of children.get(parent) ?? []) {
        const hasChildren = (children.get(d.id)?.length ?? 0) > 0;
        const expanded = this.expanded.has(d.id);
        nodes.push({
          id: d.id, name: d.name, depth, hasChildren, expanded, memberCount: d.member_count, hidden: d.hidden,
          selected: d.id === this.selected,
        });
        if (hasChildren && expanded) walk(d.id, depth + 1);
      }
    };
    walk(null, 0);
    this.update({
      nodes,
      department:
        this.selected === null
          ? null
          : {
              id: this.selected,
              path: this.path,
              crumbs: this.crumbs,
              members: this.members.map((m) => ({ ...m, online: this.client.isOnline(m.id) })),
              more: this.nextAfter !== null,
              loading: this.departmentLoading,
            },
      query: this.query,
      results: this.results,
    });
  }
}
