/**
 * Picking people: those this device knows (chats, group members, friends) and, as the user
 * types, the server's user search (B1: account, nickname or phone; the organization's
 * visibility rules apply there). Used to start chats and to invite people into groups.
 */
import { errorCode, type Client, type UserId } from '@tidings/sdk';
import type { NameBook } from './NameBook';
import { ViewModel } from './ViewModel';

export interface PickablePerson {
  id: UserId;
  name: string;
  /** Account and departments, to tell people of the same name apart. */
  detail: string;
  selected: boolean;
  /** Already in the group (cannot be picked again). */
  disabled: boolean;
}

export interface PeoplePickerSnapshot {
  query: string;
  people: PickablePerson[];
  selected: PickablePerson[];
  searching: boolean;
  /** An error code from the search. */
  error: string | null;
}

const SEARCH_DELAY_MS = 200;

export class PeoplePickerViewModel extends ViewModel<PeoplePickerSnapshot> {
  private query = '';
  private readonly chosen = new Map<UserId, PickablePerson>();
  private found: PickablePerson[] | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    /** People who cannot be picked (members already, me). */
    private readonly excluded: ReadonlySet<UserId> = new Set(),
    private readonly delayMs = SEARCH_DELAY_MS,
  ) {
    super({ query: '', people: [], selected: [], searching: false, error: null });
    this.track(names.onChange(() => this.refresh()));
    this.track(() => {
      if (this.timer) clearTimeout(this.timer);
    });
    this.refresh();
  }

  get selectedIds(): UserId[] {
    return [...this.chosen.keys()];
  }

  /** Live as the user types (debounced): known people filter at once, the server's search follows. */
  search(query: string): void {
    this.query = query;
    if (this.timer) clearTimeout(this.timer);
    const trimmed = query.trim();
    this.generation += 1;
    if (!trimmed) {
      this.found = null;
      this.update({ searching: false, error: null });
      this.refresh();
      return;
    }
    this.update({ searching: true });
    this.refresh();
    const generation = this.generation;
    this.timer = setTimeout(() => void this.runSearch(trimmed, generation), this.delayMs);
  }

  toggle(id: UserId): void {
    if (this.chosen.has(id)) this.chosen.delete(id);
    else {
      const person = this.getSnapshot().people.find((p) => p.id === id);
      if (!person || person.disabled) return;
      this.chosen.set(id, { ...person, selected: true });
    }
    this.refresh();
  }

  /** Pick someone known from elsewhere (a profile, a contact card). */
  add(id: UserId, name: string): void {
    if (this.excluded.has(id)) return;
    this.chosen.set(id, { id, name, detail: '', selected: true, disabled: false });
    this.refresh();
  }

  private async runSearch(query: string, generation: number): Promise<void> {
    try {
      const reply = await this.client.request('contacts.search', { query, limit: 30 });
      if (generation !== this.generation) return;
      this.found = reply.users.map((user) => ({
        id: user.id,
        name: user.remark || user.nickname,
        detail: [user.account, ...user.departments.map((d) => d.name)].filter(Boolean).join(' · '),
        selected: false,
        disabled: false,
      }));
      this.update({ searching: false, error: null });
    } catch (error) {
      if (generation !== this.generation) return;
      this.found = [];
      this.update({ searching: false, error: errorCode(error) });
    }
    this.refresh();
  }

  private refresh(): void {
    const me = this.client.me?.id;
    const query = this.query.trim().toLowerCase();
    const byId = new Map<UserId, PickablePerson>();
    const add = (person: Omit<PickablePerson, 'selected' | 'disabled'>) => {
      if (person.id === me || byId.has(person.id)) return;
      byId.set(person.id, { ...person, selected: this.chosen.has(person.id), disabled: this.excluded.has(person.id) });
    };
    for (const person of this.found ?? []) add(person);
    for (const person of this.names.known()) {
      if (!query || person.name.toLowerCase().includes(query)) add({ id: person.id, name: person.name, detail: '' });
    }
    const people = [...byId.values()].sort((a, b) => Number(a.disabled) - Number(b.disabled) || a.name.localeCompare(b.name));
    this.update({ query: this.query, people, selected: [...this.chosen.values()] });
  }
}
