/**
 * Uploads over tus 1.0 at `/files/` (docs/protocol.md, "Files"): create, then PATCH the bytes
 * in chunks, resuming from the server's offset after any failure — a dropped connection, a
 * pause, or the page closing (the upload's address is remembered by the file's fingerprint, so
 * picking the same file again continues where it stopped).
 *
 * The HTTP layer is injected (XMLHttpRequest in browsers, for upload progress; an in-memory
 * tus server in tests), so the protocol logic runs without a network.
 */
import { TidingsError } from './errors';

export interface HttpRequest {
  method: 'POST' | 'PATCH' | 'HEAD' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: Blob;
  /** Bytes of the body sent so far. */
  onProgress?(loaded: number): void;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  header(name: string): string | null;
  body: string;
}

/** Send one request; reject only when no response came (network, abort). */
export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

/** Where an upload's address is remembered between visits (localStorage in browsers). */
export interface UploadStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export interface UploadMeta {
  name: string;
  /** The media type; `image/*` makes the server check and thumbnail it. */
  type: string;
  /** The file disappears this many days after the upload completes (1-7). */
  expiryDays?: number;
  /** Voice and video (issue 12): what the server records of the media (it decodes none). */
  durationMs?: number;
  width?: number;
  height?: number;
}

export interface UploadOptions {
  onProgress?(sent: number, total: number): void;
  signal?: AbortSignal;
  /** Identifies the same file across visits (name, size, last modified); resumes its upload. */
  fingerprint?: string;
}

export interface Uploader {
  /** Upload a file; resolves to its file id once the server has all of it. */
  upload(file: Blob, meta: UploadMeta, options?: UploadOptions): Promise<string>;
  /** The network is back: uploads waiting before their next attempt try again at once. */
  wake?(): void;
}

export interface TusOptions {
  baseUrl: string;
  token: string;
  http: HttpSend;
  store?: UploadStore;
  /** Bytes per PATCH; each one that arrives is kept, so a failure costs at most one chunk. */
  chunkSize?: number;
  /** Waits before the attempts after a network failure; then the upload fails (resumable). */
  retryDelays?: readonly number[];
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

const TUS = '1.0.0';
/** Errors after which trying again cannot help. */
const FINAL = new Set([
  'file_too_large',
  'quota_exceeded',
  'not_an_image',
  'unsupported_media_type',
  'invalid_input',
  'unauthenticated',
  'invalid_token',
  'forbidden',
]);

function memoryStore(): UploadStore {
  const values = new Map<string, string>();
  return { get: (key) => values.get(key) ?? null, set: (key, value) => void values.set(key, value), remove: (key) => void values.delete(key) };
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new TidingsError('aborted', 'the upload was paused'));
    });
  });
}

function serverError(response: HttpResponse): TidingsError {
  try {
    const payload = JSON.parse(response.body) as { error?: { code?: string; message?: string } };
    if (payload.error?.code) return new TidingsError(payload.error.code, payload.error.message ?? '');
  } catch {
    // Not JSON: a proxy's page, say.
  }
  return new TidingsError(response.status === 404 ? 'not_found' : 'upload_failed', `HTTP ${response.status}`);
}

export class TusUploader implements Uploader {
  private readonly chunkSize: number;
  private readonly retryDelays: readonly number[];
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Upload addresses by fingerprint: the given store, or this uploader's memory. */
  private readonly store: UploadStore;
  /** Wakers of the uploads waiting between attempts. */
  private readonly waiting = new Set<() => void>();

  constructor(private readonly options: TusOptions) {
    this.store = options.store ?? memoryStore();
    this.chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
    this.retryDelays = options.retryDelays ?? [1_000, 3_000, 5_000, 10_000, 20_000];
    this.sleep = options.sleep ?? defaultSleep;
  }

  async upload(file: Blob, meta: UploadMeta, options: UploadOptions = {}): Promise<string> {
    const key = options.fingerprint ? `tidings.upload.${options.fingerprint}` : null;
    let location = key ? this.store.get(key) ?? null : null;
    let offset = -1;
    let failures = 0;
    const total = file.size;
    for (;;) {
      this.checkAborted(options.signal);
      try {
        if (location === null) {
          location = await this.create(file, meta, options.signal);
          if (key) this.store.set(key, location);
          offset = 0;
        } else if (offset < 0) {
          offset = await this.offsetOf(location, options.signal);
          if (offset < 0) {
            // Gone (expired, cleaned up, someone else's): start over.
            if (key) this.store.remove(key);
            location = null;
            continue;
          }
        }
        options.onProgress?.(offset, total);
        while (offset < total) {
          this.checkAborted(options.signal);
          offset = await this.patch(location, file, offset, total, options);
          failures = 0;
        }
        if (key) this.store.remove(key);
        return location.split('/').filter(Boolean).pop() ?? '';
      } catch (error) {
        if (error instanceof TidingsError && (FINAL.has(error.code) || error.code === 'aborted')) {
          if (key && error.code !== 'aborted') this.store.remove(key);
          throw error;
        }
        if (error instanceof TidingsError && error.code === 'file_expired') {
          if (key) this.store.remove(key);
          location = null;
          continue;
        }
        // The network, a lock, an offset the server disagrees with: ask where it stands.
        const delay = this.retryDelays[failures];
        if (delay === undefined) throw error;
        failures += 1;
        offset = -1;
        await this.pause(delay, options.signal);
      }
    }
  }

  wake(): void {
    for (const wake of [...this.waiting]) wake();
  }

  /** Wait before the next attempt, unless woken (the network came back) or paused. */
  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.waiting.add(wake);
    try {
      await Promise.race([this.sleep(ms, signal), woken]);
    } finally {
      this.waiting.delete(wake);
    }
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { 'Tus-Resumable': TUS, Authorization: `Bearer ${this.options.token}`, ...extra };
  }

  private url(path: string): string {
    return new URL(path, this.options.baseUrl).toString();
  }

  private checkAborted(signal?: AbortSignal): void {
    if (signal?.aborted) throw new TidingsError('aborted', 'the upload was paused');
  }

  private async send(request: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.options.http(request);
    } catch (error) {
      this.checkAborted(request.signal);
      throw new TidingsError('network', error instanceof Error ? error.message : 'no response');
    }
  }

  private async create(file: Blob, meta: UploadMeta, signal?: AbortSignal): Promise<string> {
    const metadata = [`filename ${base64(meta.name)}`, `filetype ${base64(meta.type || 'application/octet-stream')}`];
    if (meta.expiryDays !== undefined) metadata.push(`expiry_days ${base64(String(meta.expiryDays))}`);
    if (meta.durationMs !== undefined) metadata.push(`duration_ms ${base64(String(Math.max(1, Math.round(meta.durationMs))))}`);
    if (meta.width !== undefined) metadata.push(`width ${base64(String(meta.width))}`);
    if (meta.height !== undefined) metadata.push(`height ${base64(String(meta.height))}`);
    const response = await this.send({
      method: 'POST',
      url: this.url('/files/'),
      headers: this.headers({ 'Upload-Length': String(file.size), 'Upload-Metadata': metadata.join(',') }),
      signal,
    });
    const location = response.header('Location');
    if (response.status !== 201 || !location) throw serverError(response);
    return location;
  }

  /** The server's offset, or -1 when the upload is gone. */
  private async offsetOf(location: string, signal?: AbortSignal): Promise<number> {
    const response = await this.send({ method: 'HEAD', url: this.url(location), headers: this.headers(), signal });
    if (response.status === 404 || response.status === 410 || response.status === 403) return -1;
    const offset = Number(response.header('Upload-Offset'));
    if (response.status !== 200 || !Number.isSafeInteger(offset)) throw serverError(response);
    return offset;
  }

  private async patch(location: string, file: Blob, offset: number, total: number, options: UploadOptions): Promise<number> {
    const end = Math.min(total, offset + this.chunkSize);
    const response = await this.send({
      method: 'PATCH',
      url: this.url(location),
      headers: this.headers({ 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' }),
      body: file.slice(offset, end),
      onProgress: (loaded) => options.onProgress?.(Math.min(total, offset + loaded), total),
      signal: options.signal,
    });
    const next = Number(response.header('Upload-Offset'));
    if (response.status !== 204 || !Number.isSafeInteger(next)) throw serverError(response);
    options.onProgress?.(next, total);
    return next;
  }
}

/** The browser's HTTP for uploads: XMLHttpRequest reports upload progress, fetch does not. */
export function xhrHttp(): HttpSend {
  return (request) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(request.method, request.url);
      for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
      if (request.onProgress) {
        const report = request.onProgress;
        xhr.upload.onprogress = (event) => report(event.loaded);
      }
      xhr.onload = () =>
        resolve({ status: xhr.status, header: (name) => xhr.getResponseHeader(name), body: xhr.responseText });
      xhr.onerror = () => reject(new Error('network error'));
      xhr.ontimeout = () => reject(new Error('timeout'));
      xhr.onabort = () => reject(new Error('aborted'));
      request.signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(request.body ?? null);
    });
}

/** A name for a file that stays the same across visits (for resuming its upload). */
export function fileFingerprint(file: Blob & { name?: string; lastModified?: number }, userId: number): string {
  return [userId, file.name ?? '', file.size, file.type, file.lastModified ?? 0].join(':');
}
