/**
 * Reconnect delays: 0.5 s doubling to 30 s (docs/protocol.md), with "full jitter" so that a
 * server restart is not met by every client at the same instant.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random: () => number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000, random: Math.random };

/** The delay before reconnect attempt `attempt` (0-based): between half and all of the cap. */
export function backoffDelay(attempt: number, options: BackoffOptions = defaultBackoff): number {
  const cap = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + options.random() * (cap / 2));
}
