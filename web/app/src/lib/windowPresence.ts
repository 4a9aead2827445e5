/**
 * What every window of the app is showing, shared over a BroadcastChannel, so that exactly
 * one window alerts for a new message and none does for a conversation on screen (H1, H3).
 *
 * Each window announces its state when it changes and every 20 s; a window that says goodbye
 * (pagehide) or has not been heard of for 3 minutes is forgotten. Hidden windows are throttled
 * by the browser to about one timer a minute, well within that.
 */

export interface WindowInfo {
  id: string;
  /** The main window (not a popped-out conversation). */
  main: boolean;
  /** The conversation the window shows, or null. */
  shown: number | null;
  /** The page is visible (not a background tab, not minimised). */
  visible: boolean;
  /** The window has the keyboard focus. */
  focused: boolean;
  /** When it last got the focus (ms): the most recent one is the active window. */
  focusedAt: number;
}

type Message = { t: 'state'; info: WindowInfo } | { t: 'bye'; id: string } | { t: 'hello' };

/** The part of BroadcastChannel the registry uses (a fake in tests). */
export interface Channel {
  postMessage(message: Message): void;
  onmessage: ((event: MessageEvent<Message>) => void) | null;
  close(): void;
}

const HEARTBEAT_MS = 20_000;
const FORGET_AFTER_MS = 180_000;

export class WindowRegistry {
  private info: WindowInfo;
  private readonly others = new Map<string, { info: WindowInfo; heardAt: number }>();
  private readonly listeners = new Set<() => void>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    initial: Omit<WindowInfo, 'id'>,
    private readonly channel: Channel | null,
    private readonly now: () => number = Date.now,
    id: string = Math.random().toString(36).slice(2),
  ) {
    this.info = { ...initial, id };
    if (channel) {
      channel.onmessage = (event) => this.receive(event.data);
      channel.postMessage({ t: 'hello' });
      this.announce();
    }
    this.timer = setInterval(() => this.announce(), HEARTBEAT_MS);
  }

  get self(): WindowInfo {
    return this.info;
  }

  /** Every window known, this one included. */
  all(): WindowInfo[] {
    const cutoff = this.now() - FORGET_AFTER_MS;
    const out = [this.info];
    for (const [id, other] of this.others) {
      if (other.heardAt < cutoff) this.others.delete(id);
      else out.push(other.info);
    }
    return out;
  }

  update(change: Partial<Omit<WindowInfo, 'id'>>): void {
    const next = { ...this.info, ...change };
    if (change.focused === true && !this.info.focused) next.focusedAt = this.now();
    if (Object.keys(change).every((key) => next[key as keyof WindowInfo] === this.info[key as keyof WindowInfo])) return;
    this.info = next;
    this.announce();
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** This window is going away. */
  close(): void {
    clearInterval(this.timer);
    this.channel?.postMessage({ t: 'bye', id: this.info.id });
    this.channel?.close();
    this.listeners.clear();
  }

  private announce(): void {
    this.channel?.postMessage({ t: 'state', info: this.info });
  }

  private receive(message: Message): void {
    if (message.t === 'hello') {
      this.announce();
    } else if (message.t === 'bye') {
      if (this.others.delete(message.id)) this.changed();
    } else if (message.t === 'state' && message.info.id !== this.info.id) {
      this.others.set(message.info.id, { info: message.info, heardAt: this.now() });
      this.changed();
    }
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
