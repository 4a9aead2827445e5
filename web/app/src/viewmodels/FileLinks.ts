/**
 * Signed links to files (docs/protocol.md, "Signed links"): `<img>` and download links cannot
 * send the session token, so each file gets a short-lived URL from the server. Links are asked
 * for when a view shows the file (only rows on screen), cached, and renewed before they expire.
 */
import { errorCode, type Client } from '@tidings/sdk';

export type LinkVariant = 'original' | 'thumbnail';

export type LinkState = { url: string } | { error: string } | null;

const TTL_SECONDS = 3_600;
/** Renew a link this long before it expires. */
const MARGIN_MS = 5 * 60_000;

export class FileLinks {
  private readonly links = new Map<string, { url: string; expiresAt: number }>();
  private readonly errors = new Map<string, string>();
  private readonly asking = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly client: Client,
    private readonly now: () => number = Date.now,
  ) {}

  /** The link if known (renewing it when old), else null while it is asked for; or the error. */
  get(fileId: string, variant: LinkVariant): LinkState {
    const key = `${fileId}:${variant}`;
    const error = this.errors.get(key);
    if (error) return { error };
    const link = this.links.get(key);
    if (!link || link.expiresAt - this.now() < MARGIN_MS) this.ask(fileId, variant, key);
    return link && link.expiresAt > this.now() ? { url: link.url } : null;
  }

  /** Resolve a link (for a download button). */
  async fetch(fileId: string, variant: LinkVariant): Promise<string> {
    const known = this.get(fileId, variant);
    if (known && 'url' in known) return known.url;
    const reply = await this.client.request('files.link', { file_id: fileId, variant, ttl_seconds: TTL_SECONDS });
    this.links.set(`${fileId}:${variant}`, { url: reply.url, expiresAt: reply.expires_at });
    return reply.url;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private ask(fileId: string, variant: LinkVariant, key: string): void {
    if (this.asking.has(key) || this.client.state !== 'connected') return;
    this.asking.add(key);
    this.client.request('files.link', { file_id: fileId, variant, ttl_seconds: TTL_SECONDS }).then(
      (reply) => {
        this.asking.delete(key);
        this.links.set(key, { url: reply.url, expiresAt: reply.expires_at });
        this.changed();
      },
      (error: unknown) => {
        this.asking.delete(key);
        const code = errorCode(error);
        // Offline or a timeout: ask again later. Gone or forbidden: say so.
        if (!['offline', 'connection_lost', 'timeout'].includes(code)) {
          this.errors.set(key, code);
          this.changed();
        }
      },
    );
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
