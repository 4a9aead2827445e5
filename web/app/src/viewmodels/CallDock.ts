/**
 * Where calls live in the workspace (decision 0074): this small part is in the first load and
 * listens for calls; the call's view model (WebRTC, ringing, the controls) and its window are
 * fetched with the first call, placed or received. Pushes that arrive meanwhile wait.
 */
import { errorCode, type Call, type CallMedia, type CallPush, type Client, type ConversationId, type GroupCallPush } from '@tidings/sdk';
import type { CallEnvironment, CallViewModel } from './CallViewModel';
import type { GroupCallViewModel } from './GroupCallViewModel';
import { ViewModel } from './ViewModel';

export interface CallDockSnapshot {
  vm: CallViewModel | null;
  /** The group call this device is in (decision 0078), loaded with the first one. */
  group: GroupCallViewModel | null;
  /** The live calls of my groups, by group: the header's "call in progress — join". */
  live: ReadonlyMap<ConversationId, Call>;
  /** False when the server has no SFU: group calls say so instead of failing. */
  groupCallsAvailable: boolean;
  /** The group whose call could not start, and why (an error code). */
  groupError: { conversationId: ConversationId; code: string } | null;
}

export class CallDock extends ViewModel<CallDockSnapshot> {
  private loading: Promise<CallViewModel> | null = null;
  private loadingGroup: Promise<GroupCallViewModel> | null = null;
  private waiting: CallPush[] = [];

  constructor(
    private readonly client: Client,
    private readonly environment: () => Promise<CallEnvironment>,
  ) {
    super({ vm: null, group: null, live: new Map(), groupCallsAvailable: true, groupError: null });
    this.track(client.on('groupCall', (push) => this.onGroupPush(push)));
    this.track(
      client.on('call', (push) => {
        const vm = this.getSnapshot().vm;
        if (vm) {
          vm.onPush(push);
          return;
        }
        // Only a ringing call is worth fetching the code for; the rest concern a call here.
        if (push.push !== 'call_incoming' && this.loading === null) return;
        this.waiting.push(push);
        void this.load().then((loaded) => {
          for (const waited of this.waiting.splice(0)) loaded.onPush(waited);
        });
      }),
    );
    // A device that opens (or comes back) while a call rings for it rings too; one in a call
    // says at once that it is still there.
    this.track(
      client.on('connected', () => {
        this.getSnapshot().vm?.reconnected();
        void this.checkCurrent();
        void this.checkLive();
      }),
    );
    if (client.state === 'connected') {
      void this.checkCurrent();
      void this.checkLive();
    }
    this.track(() => this.getSnapshot().vm?.dispose());
    this.track(() => this.getSnapshot().group?.dispose());
  }

  /** Start a group's call (or join the one going on), voice or video. */
  async startGroup(conversationId: ConversationId, media: CallMedia): Promise<void> {
    if (this.getSnapshot().group?.getSnapshot().phase) return;
    const vm = await this.loadGroup();
    this.update({ groupError: null });
    try {
      await vm.join({ conversationId, media });
    } catch (error) {
      this.update({ groupError: { conversationId, code: errorCode(error) } });
    }
  }

  /** Join the group's call that is going on. */
  async joinGroup(conversationId: ConversationId): Promise<void> {
    const call = this.getSnapshot().live.get(conversationId);
    if (!call) return this.startGroup(conversationId, 'audio');
    if (this.getSnapshot().group?.getSnapshot().phase) return;
    const vm = await this.loadGroup();
    this.update({ groupError: null });
    try {
      await vm.join({ callId: call.id, conversationId, media: call.media });
    } catch (error) {
      this.update({ groupError: { conversationId, code: errorCode(error) } });
    }
  }

  dismissGroupError(): void {
    this.update({ groupError: null });
  }

  private onGroupPush(push: GroupCallPush): void {
    this.getSnapshot().group?.onPush(push);
    if (push.push !== 'call_group') return;
    const live = new Map(this.getSnapshot().live);
    if (push.call.state === 'ended') {
      if (live.get(push.call.conversation_id)?.id === push.call.id) live.delete(push.call.conversation_id);
    } else {
      live.set(push.call.conversation_id, push.call);
    }
    this.update({ live });
  }

  private async checkLive(): Promise<void> {
    try {
      const { calls, available } = await this.client.request('call.live', {});
      this.update({ live: new Map(calls.map((c) => [c.conversation_id, c])), groupCallsAvailable: available });
      const mine = calls.find((c) => c.participants.some((p) => p.live && p.user_id === this.client.me?.id));
      const group = this.getSnapshot().group;
      if (mine && group) group.resume(mine);
    } catch {
      // Best effort: starts, joins and ends also arrive as pushes.
    }
  }

  private loadGroup(): Promise<GroupCallViewModel> {
    this.loadingGroup ??= (async () => {
      const [{ GroupCallViewModel }, environment] = await Promise.all([import('./GroupCallViewModel'), this.environment()]);
      const vm = new GroupCallViewModel(this.client, environment);
      this.update({ group: vm });
      return vm;
    })();
    return this.loadingGroup;
  }

  /** Call the other member of a direct chat. */
  async start(conversationId: ConversationId, media: CallMedia): Promise<void> {
    const vm = await this.load();
    await vm.start(conversationId, media);
  }

  private async checkCurrent(): Promise<void> {
    try {
      const { call } = await this.client.request('call.current', {});
      if (!call || call.kind === 'group' || call.state !== 'ringing' || call.callee_id !== this.client.me?.id) return;
      (await this.load()).resume(call);
    } catch {
      // Best effort: a ringing call also arrives as a push.
    }
  }

  private load(): Promise<CallViewModel> {
    this.loading ??= (async () => {
      const [{ CallViewModel }, environment] = await Promise.all([import('./CallViewModel'), this.environment()]);
      const vm = new CallViewModel(this.client, environment);
      this.update({ vm });
      return vm;
    })();
    return this.loading;
  }
}
