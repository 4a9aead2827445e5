/**
 * "Start a chat": one person opens a direct chat, several make a group. People come from
 * the user search (account, nickname or phone) and from those this device already knows.
 */
import { errorCode, type Client, type ConversationSummary, type UserId } from '@tidings/sdk';
import type { NameBook } from './NameBook';
import { PeoplePickerViewModel } from './PeoplePickerViewModel';
import { ViewModel } from './ViewModel';

export interface NewChatSnapshot {
  selectedCount: number;
  groupName: string;
  busy: boolean;
  error: string | null;
}

export class NewChatViewModel extends ViewModel<NewChatSnapshot> {
  readonly picker: PeoplePickerViewModel;
  private groupName = '';

  constructor(
    private readonly client: Client,
    private readonly names: NameBook,
    searchDelayMs?: number,
  ) {
    super({ selectedCount: 0, groupName: '', busy: false, error: null });
    this.picker = new PeoplePickerViewModel(client, names, new Set(), searchDelayMs);
    this.track(() => this.picker.dispose());
    this.track(this.picker.subscribe(() => this.update({ selectedCount: this.picker.selectedIds.length })));
    void this.learnGroupMembers();
  }

  setGroupName(name: string): void {
    this.groupName = name;
    this.update({ groupName: name });
  }

  /** Open or create the conversation; resolves to it (null on failure, with `error` set). */
  async start(): Promise<ConversationSummary | null> {
    const ids = this.picker.selectedIds;
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

  /** People in my groups are people I know: offer them before any search. */
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
}
