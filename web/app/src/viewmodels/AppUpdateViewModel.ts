/**
 * "A new version is ready — Reload" (decision 0042).
 *
 * A deploy brings a new service worker; it installs beside the running one and waits. This
 * view model shows the offer and, only when the user takes it, has the waiting worker take
 * over and reloads the page: a reload never interrupts someone typing without asking (their
 * draft is kept anyway). "Later" hides the offer until the next new version.
 */
import { ViewModel } from './ViewModel';

export interface AppUpdateSnapshot {
  /** A new version is installed and waits for the user's word. */
  ready: boolean;
}

/** What the browser side (lib/serviceWorker.ts) gives this view model. */
export interface UpdateChannel {
  /** Call `listener` whenever a new version is ready; returns the remover. */
  onReady(listener: () => void): () => void;
  /** Switch to the new version now (the page reloads). */
  apply(): void;
}

export class AppUpdateViewModel extends ViewModel<AppUpdateSnapshot> {
  constructor(private readonly channel: UpdateChannel) {
    super({ ready: false });
    this.track(channel.onReady(() => this.update({ ready: true })));
  }

  reload(): void {
    this.channel.apply();
  }

  later(): void {
    this.update({ ready: false });
  }
}
