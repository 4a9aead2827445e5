/**
 * A customer-service chat as its agent sees it in Chats (J4, decision 0066): the customer's
 * page and id, where the chat stands, and the agent's own actions on it — transfer it to
 * another agent, close it — next to the conversation rather than only in the Service tab.
 * Refreshed by the `service_queue` push for this chat.
 */
import { errorCode, type Client, type ConversationId, type ServiceAgent, type ServicePage, type ServiceState, type UserId } from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import { ViewModel } from './ViewModel';

export interface ServiceChatSnapshot {
  /** Null until the server answered (or if this user is no agent). */
  state: ServiceState | null;
  /** I hold the chat: transfer and close are mine to do. */
  mine: boolean;
  page: ServicePage | null;
  /** The host's id of an identified customer. */
  customerId: string | null;
  /** The other agents, to transfer to. */
  agents: ServiceAgent[];
  busy: boolean;
  /** A translated refusal. */
  notice: string | null;
}

export class ServiceChatViewModel extends ViewModel<ServiceChatSnapshot> {
  constructor(
    private readonly client: Client,
    readonly conversationId: ConversationId,
    private readonly t: () => Translate,
  ) {
    super({ state: null, mine: false, page: null, customerId: null, agents: [], busy: false, notice: null });
    this.track(
      client.on('serviceQueue', ({ conversation_id }) => {
        if (conversation_id === conversationId) void this.load();
      }),
    );
    this.track(client.on('state', ({ state }) => state === 'connected' && void this.load()));
    if (client.state === 'connected') void this.load();
  }

  async load(): Promise<void> {
    try {
      const [details, agents] = await Promise.all([
        this.client.request('service.details', { conversation_id: this.conversationId }),
        this.client.request('service.agents', {}),
      ]);
      const me: UserId | undefined = this.client.me?.id;
      this.update({
        state: details.state,
        mine: details.state === 'taken' && details.agent_id === me,
        page: details.page,
        customerId: details.visitor.external_id,
        agents: agents.agents.filter((a) => a.user_id !== me),
      });
    } catch {
      // No agent (any longer): the chat shows as a plain conversation.
      this.update({ state: null, mine: false });
    }
  }

  async transfer(agentId: UserId): Promise<void> {
    await this.act(() => this.client.request('service.transfer', { conversation_id: this.conversationId, agent_id: agentId }));
  }

  async close(): Promise<void> {
    await this.act(() => this.client.request('service.close', { conversation_id: this.conversationId }));
  }

  private async act(run: () => Promise<unknown>): Promise<void> {
    if (this.getSnapshot().busy) return;
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
