/**
 * The Workbench tab (工作台, PRODUCT.md J6, decision 0069): the apps the organization gave me,
 * one of them open in a frame, and what its page asks through the bridge (a ticket for its
 * backend, a conversation to open, a card to share into chats I pick).
 */
import { errorCode, TidingsError, type Client, type ConversationId, type CustomCardBody } from '@tidings/sdk';
import { bridgeError, bridgeReply, cardFrom, type BridgeCall, type BridgeReply } from '../lib/workbenchBridge';
import { ViewModel } from './ViewModel';

export interface WorkbenchApp {
  id: number;
  name: string;
  url: string;
  origin: string;
  icon_url: string | null;
  description: string;
}

export interface WorkbenchTicket {
  ticket: string;
  expires_in: number;
}

/** The server's side (REST with the session's token); a fake in unit tests. */
export interface WorkbenchServices {
  apps(): Promise<WorkbenchApp[]>;
  ticket(appId: number): Promise<WorkbenchTicket>;
}

/** What the rest of the client does for an app. */
export interface WorkbenchHost {
  openConversation(id: ConversationId): void;
  /** The chat picker; resolves with how many chats got the card (0: cancelled). */
  shareCard(card: CustomCardBody): Promise<number>;
}

export interface WorkbenchSnapshot {
  apps: WorkbenchApp[];
  loading: boolean;
  /** An error code to translate. */
  error: string | null;
  open: WorkbenchApp | null;
}

export class WorkbenchViewModel extends ViewModel<WorkbenchSnapshot> {
  constructor(
    private readonly client: Client,
    private readonly services: WorkbenchServices,
    private readonly host: WorkbenchHost,
  ) {
    super({ apps: [], loading: true, error: null, open: null });
    void this.reload();
  }

  async reload(): Promise<void> {
    this.update({ loading: true, error: null });
    try {
      const apps = await this.services.apps();
      const open = this.getSnapshot().open;
      this.update({ apps, loading: false, open: open && apps.some((a) => a.id === open.id) ? open : null });
    } catch (error) {
      this.update({ loading: false, error: errorCode(error) });
    }
  }

  openApp(id: number): void {
    this.update({ open: this.getSnapshot().apps.find((a) => a.id === id) ?? null });
  }

  closeApp(): void {
    this.update({ open: null });
  }

  /** Answer a call of the open app's frame (the view checked where it came from). */
  async answer(call: BridgeCall): Promise<BridgeReply> {
    const app = this.getSnapshot().open;
    if (!app) return bridgeError(call.id, 'not_found', 'no app is open');
    try {
      switch (call.method) {
        case 'getTicket':
          return bridgeReply(call.id, await this.services.ticket(app.id));
        case 'openConversation': {
          let id = call.conversationId;
          if (id === null && call.userId !== null) id = (await this.client.openDirect(call.userId)).id;
          if (id === null || (call.conversationId !== null && !this.client.conversation(id))) {
            return bridgeError(call.id, 'not_found', 'no such conversation');
          }
          this.host.openConversation(id);
          return bridgeReply(call.id, { conversation_id: id });
        }
        case 'shareCard': {
          const card = cardFrom(call.card, app.name);
          if (!card) return bridgeError(call.id, 'invalid_input', 'a card needs a title and an http(s) url');
          return bridgeReply(call.id, { shared: await this.host.shareCard(card) });
        }
      }
    } catch (error) {
      return bridgeError(call.id, errorCode(error), error instanceof Error ? error.message : String(error));
    }
  }
}

/** REST on this origin with the client's session token. */
export function browserWorkbenchServices(client: Client, fetchImpl: typeof fetch = (...args) => fetch(...args)): WorkbenchServices {
  const call = async <T,>(method: string, path: string): Promise<T> => {
    const response = await fetchImpl(path, { method, headers: { authorization: `Bearer ${client.sessionToken}` } });
    const payload: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const code = (payload as { error?: { code?: string } } | null)?.error?.code ?? 'internal_error';
      const message = (payload as { error?: { message?: string } } | null)?.error?.message ?? code;
      throw new TidingsError(code, message);
    }
    return payload as T;
  };
  return {
    apps: async () => (await call<{ apps: WorkbenchApp[] }>('GET', '/api/v1/workbench/apps')).apps,
    ticket: (appId) => call<WorkbenchTicket>('POST', `/api/v1/workbench/apps/${appId}/tickets`),
  };
}
