/**
 * Customer service for agents (J4, decision 0066): the queue of waiting visitors, the
 * agent's own chats and the one chosen (the visitor's page, earlier visits). Taking opens the
 * chat in Chats, where messages flow as in any conversation. Refreshed by the
 * `service_queue` push. Whoever is no agent (`not_an_agent`) never sees the section.
 */
import { errorCode, type Client, type ConversationId, type ServiceAgent, type ServiceCase, type ServiceChat, type UserId } from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import { ViewModel } from './ViewModel';

export interface ServiceDeskSnapshot {
  /** null until the server said whether this user is an agent. */
  isAgent: boolean | null;
  waiting: ServiceChat[];
  mine: ServiceChat[];
  selected: (ServiceChat & { cases: ServiceCase[] }) | null;
  agents: ServiceAgent[];
  busy: boolean;
  notice: string | null;
}

export class ServiceDeskViewModel extends ViewModel<ServiceDeskSnapshot> {
  constructor(
    private readonly client: Client,
    private readonly t: () => Translate,
    private readonly openChat: (id: ConversationId) => void,
  ) {
    super({ isAgent: null, waiting: [], mine: [], selected: null, agents: [], busy: false, notice: null });
    this.track(client.on('serviceQueue', () => void this.load()));
    this.track(client.on('state', ({ state }) => { if (state === 'connected') void this.load(); }));
    if (client.state === 'connected') void this.load();
  }

  async load(): Promise<void> {
    if (this.getSnapshot().isAgent === false) return;
    try {
      const queue = await this.client.request('service.queue', {});
      this.update({ isAgent: true, waiting: queue.waiting, mine: queue.mine });
      const selected = this.getSnapshot().selected;
      if (selected) await this.select(selected.conversation_id);
    } catch (error) {
      if (errorCode(error) === 'not_an_agent' || errorCode(error) === 'visitor_not_allowed') this.update({ isAgent: false });
    }
  }

  async select(id: ConversationId): Promise<void> {
    try {
      const [details, agents] = await Promise.all([
        this.client.request('service.details', { conversation_id: id }),
        this.client.request('service.agents', {}),
      ]);
      this.update({ selected: details, agents: agents.agents });
    } catch (error) {
      this.update({ notice: errorMessage(this.t(), errorCode(error)) });
    }
  }

  async take(id: ConversationId): Promise<void> {
    await this.act(async () => {
      await this.client.request('service.take', { conversation_id: id });
      this.openChat(id);
    });
  }

  async transfer(id: ConversationId, agentId: UserId): Promise<void> {
    await this.act(() => this.client.request('service.transfer', { conversation_id: id, agent_id: agentId }));
  }

  async close(id: ConversationId): Promise<void> {
    await this.act(() => this.client.request('service.close', { conversation_id: id }));
  }

  open(id: ConversationId): void {
    this.openChat(id);
  }

  private async act(run: () => Promise<unknown>): Promise<void> {
    this.update({ busy: true, notice: null });
    try {
      await run();
    } catch (error) {
      this.update({ notice: errorMessage(this.t(), errorCode(error)) });
    } finally {
      this.update({ busy: false });
      await this.load();
    }
  }
}
