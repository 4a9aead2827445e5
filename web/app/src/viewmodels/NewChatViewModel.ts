/**
 * "Start a chat": one person opens a direct chat, several make a group. People come from
 * the chats this device knows (a directory search arrives with the contacts API) or by id.
 */
import { errorCode, type Client, type ConversationSummary, type UserId } from '@tidings/sdk';
import type { NameBook } from './NameBook';
import { ViewModel } from './ViewModel';

export interface Person {
  id: UserId;
  name: string;
  selected: boolean;
}

export interface NewChatSnapshot {
  people: Person[];
  selectedCount: number;
  groupName: string;
  idInput: string;
  busy: boolean;
  error: string | null;
}

export class NewChatViewModel extends ViewModel<NewChatSnapshot> {
  private readonly selected = new Set<UserId>();
  private readonly extra = new Map<UserId, string>();
  private groupName = '';
  private idInput = '';

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
  ) {
    super({ people: [], selectedCount: 0, groupName: '', idInput: '', busy: false, error: null });
    this.track(names.onChange(() => this.refresh()));
    void this.learnGroupMembers();
    this.refresh();
  }

  toggle(id: UserId): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
    this.refresh();
  }

  setGroupName(name: string): void {
    this.groupName = name;
    this.refresh();
  }

  setIdInput(text: string): void {
    this.idInput = text.replace(/[^0-9]/g, '');
    this.refresh();
  }

  async addById(): Promise<void> {
    const id = Number(this.idInput);
    if (!Number.isSafeInteger(id) || id <= 0) return;
    try {
      const user = await this.client.profile(id);
      this.extra.set(user.id, user.nickname);
      this.selected.add(user.id);
      this.idInput = '';
      this.update({ error: null });
    } catch {
      this.update({ error: 'not_found' });
    }
    this.refresh();
  }

  /** Open or create the conversation; resolves to it (null on failure, with `error` set). */
  async start(): Promise<ConversationSummary | null> {
    const ids = [...this.selected];
    if (ids.length === 0) return null;
    this.update({ busy: true, error: null });
    try {
      const [only] = ids;
      const summary =
        ids.length === 1 && only !== undefined
          ? await this.client.openDirect(only)
          : await this.client.createGroup(this.groupName.trim() || this.defaultGroupName(ids), ids);
      this.update({ busy: false });
      return summary;
    } catch (error) {
      this.update({ busy: false, error: errorCode(error) });
      return null;
    }
  }

  private defaultGroupName(ids: UserId[]): string {
    const me = this.client.me?.nickname ?? '';
    return [me, ...ids.map((id) => this.names.name(id))].filter(Boolean).slice(0, 4).join(', ');
  }

  private async learnGroupMembers(): Promise<void> {
    const groups = this.client.conversations().filter((c) => c.type === 'group').slice(0, 50);
    for (const group of groups) {
      try {
        this.names.learn(await this.client.conversationMembers(group.id));
      } catch {
        // Offline: the people already known are enough.
      }
    }
  }

  private refresh(): void {
    const people = new Map<UserId, string>();
    for (const person of this.names.known()) people.set(person.id, person.name);
    for (const [id, name] of this.extra) people.set(id, name);
    const list = [...people.entries()]
      .map(([id, name]) => ({ id, name, selected: this.selected.has(id) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    this.update({ people: list, selectedCount: this.selected.size, groupName: this.groupName, idInput: this.idInput });
  }
}
