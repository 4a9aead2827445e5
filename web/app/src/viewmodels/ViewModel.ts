/**
 * The base of every view model (element-web's shape): a snapshot the view renders and
 * actions it calls. Views read the snapshot through `useViewModel` (useSyncExternalStore);
 * a view model owns its listeners and drops them in `dispose`.
 */
export abstract class ViewModel<Snapshot> {
  private readonly listeners = new Set<() => void>();
  private readonly disposers: (() => void)[] = [];
  private current: Snapshot;

  protected constructor(initial: Snapshot) {
    this.current = initial;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): Snapshot => this.current;

  protected setSnapshot(next: Snapshot): void {
    if (Object.is(next, this.current)) return;
    this.current = next;
    for (const listener of [...this.listeners]) listener();
  }

  protected update(change: Partial<Snapshot>): void {
    this.setSnapshot({ ...this.current, ...change });
  }

  /** Run `dispose` when this view model is disposed (listener removers, timers). */
  protected track(dispose: () => void): void {
    this.disposers.push(dispose);
  }

  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.listeners.clear();
  }
}
