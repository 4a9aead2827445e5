/** A small key-value store: the browser's storages in the app, a Map in tests. */
export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export class MemoryStore implements KeyValueStore {
  private readonly values = new Map<string, string>();
  get(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  set(key: string, value: string): void {
    this.values.set(key, value);
  }
  remove(key: string): void {
    this.values.delete(key);
  }
}

/** Wrap a Web Storage; falls back to memory where storage is blocked (private modes). */
export function webStore(storage: () => Storage): KeyValueStore {
  const fallback = new MemoryStore();
  const attempt = <T>(action: (s: Storage) => T, otherwise: () => T): T => {
    try {
      return action(storage());
    } catch {
      return otherwise();
    }
  };
  return {
    get: (key) => attempt((s) => s.getItem(key), () => fallback.get(key)),
    set: (key, value) => attempt((s) => s.setItem(key, value), () => fallback.set(key, value)),
    remove: (key) => attempt((s) => s.removeItem(key), () => fallback.remove(key)),
  };
}

export function readJson<T>(store: KeyValueStore, key: string): T | null {
  const text = store.get(key);
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
