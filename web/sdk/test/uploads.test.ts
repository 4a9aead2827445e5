import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Client, MemoryCache, TidingsError, TusUploader, type HttpRequest, type HttpResponse, type Uploader } from '../src';
import { FakeServer } from './fake-server';

/** A tus 1.0 server in memory, with a way to cut a PATCH off halfway. */
class TusServer {
  readonly uploads = new Map<string, { length: number; bytes: number[]; meta: string }>();
  readonly requests: string[] = [];
  /** Cut the next N PATCHes after half their bytes arrived (the connection drops). */
  cuts = 0;
  refuseImages = false;
  private next = 1;

  http = async (request: HttpRequest): Promise<HttpResponse> => {
    const path = new URL(request.url).pathname;
    this.requests.push(`${request.method} ${path}`);
    expect(request.headers['Tus-Resumable']).toBe('1.0.0');
    expect(request.headers.Authorization).toBe('Bearer t');
    const respond = (status: number, headers: Record<string, string> = {}, body = ''): HttpResponse => ({
      status,
      header: (name) => headers[name] ?? null,
      body,
    });
    if (request.method === 'POST') {
      const id = `f${this.next++}`;
      this.uploads.set(id, { length: Number(request.headers['Upload-Length']), bytes: [], meta: request.headers['Upload-Metadata'] ?? '' });
      return respond(201, { Location: `/files/${id}` });
    }
    const upload = this.uploads.get(path.split('/').pop() ?? '');
    if (!upload) return respond(404, {}, JSON.stringify({ error: { code: 'not_found', message: '' } }));
    if (request.method === 'HEAD') return respond(200, { 'Upload-Offset': String(upload.bytes.length) });
    if (Number(request.headers['Upload-Offset']) !== upload.bytes.length) {
      return respond(409, {}, JSON.stringify({ error: { code: 'upload_offset_mismatch', message: '' } }));
    }
    const body = new Uint8Array(await (request.body as Blob).arrayBuffer());
    if (this.cuts > 0) {
      this.cuts -= 1;
      upload.bytes.push(...body.slice(0, Math.floor(body.length / 2)));
      throw new Error('connection reset');
    }
    upload.bytes.push(...body);
    request.onProgress?.(body.length);
    if (upload.bytes.length === upload.length && this.refuseImages) {
      return respond(422, {}, JSON.stringify({ error: { code: 'not_an_image', message: 'no' } }));
    }
    return respond(204, { 'Upload-Offset': String(upload.bytes.length) });
  };
}

function blob(size: number): Blob {
  return new Blob([new Uint8Array(Array.from({ length: size }, (_, i) => i % 251))]);
}

function memoryStore() {
  const values = new Map<string, string>();
  return { values, get: (k: string) => values.get(k) ?? null, set: (k: string, v: string) => void values.set(k, v), remove: (k: string) => void values.delete(k) };
}

const noSleep = async () => undefined;

describe('TusUploader', () => {
  it('creates, patches in chunks, and resumes from the server offset after a cut', async () => {
    const server = new TusServer();
    server.cuts = 1;
    const uploader = new TusUploader({ baseUrl: 'http://x', token: 't', http: server.http, chunkSize: 400, sleep: noSleep });
    const progress: number[] = [];
    const file = blob(1000);
    const id = await uploader.upload(file, { name: '报告.pdf', type: 'application/pdf' }, { onProgress: (sent) => progress.push(sent) });
    expect(id).toBe('f1');
    const stored = server.uploads.get('f1');
    expect(stored?.bytes).toEqual([...new Uint8Array(await file.arrayBuffer())]);
    // The name travels base64-encoded in UTF-8.
    expect(stored?.meta).toContain(`filename ${btoa(String.fromCharCode(...new TextEncoder().encode('报告.pdf')))}`);
    // Half of the cut chunk arrived and was kept: the rest goes from there.
    expect(server.requests).toEqual(['POST /files/', 'PATCH /files/f1', 'HEAD /files/f1', 'PATCH /files/f1', 'PATCH /files/f1']);
    expect(progress.at(-1)).toBe(1000);
  });

  it('continues an upload begun on an earlier visit, by the file fingerprint', async () => {
    const server = new TusServer();
    const store = memoryStore();
    const file = blob(900);
    const abort = new AbortController();
    const first = new TusUploader({ baseUrl: 'http://x', token: 't', http: server.http, chunkSize: 300, store, sleep: noSleep });
    await expect(
      first.upload(file, { name: 'a.bin', type: '' }, {
        fingerprint: 'a',
        signal: abort.signal,
        onProgress: (sent) => sent >= 300 && abort.abort(),
      }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(store.values.get('tidings.upload.a')).toBe('/files/f1');

    server.requests.length = 0;
    const second = new TusUploader({ baseUrl: 'http://x', token: 't', http: server.http, chunkSize: 300, store, sleep: noSleep });
    expect(await second.upload(file, { name: 'a.bin', type: '' }, { fingerprint: 'a' })).toBe('f1');
    expect(server.requests).toEqual(['HEAD /files/f1', 'PATCH /files/f1', 'PATCH /files/f1']);
    expect(store.values.size).toBe(0);
  });

  it('tries again at once when woken (the network is back) instead of finishing its wait', async () => {
    const server = new TusServer();
    let offline = true;
    const http = (request: HttpRequest) => (offline ? Promise.reject(new Error('offline')) : server.http(request));
    // A wait that never ends by itself: only a wake-up moves the upload on.
    const uploader = new TusUploader({ baseUrl: 'http://x', token: 't', http, sleep: () => new Promise(() => undefined), retryDelays: [60_000] });
    const done = uploader.upload(blob(10), { name: 'x', type: '' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    offline = false;
    uploader.wake();
    await expect(done).resolves.toBe('f1');
  });

  it('gives up at once on what retrying cannot fix, and after the retries on the rest', async () => {
    const server = new TusServer();
    server.refuseImages = true;
    const uploader = new TusUploader({ baseUrl: 'http://x', token: 't', http: server.http, sleep: noSleep, retryDelays: [1, 1] });
    await expect(uploader.upload(blob(10), { name: 'x.png', type: 'image/png' })).rejects.toMatchObject({ code: 'not_an_image' });
    const down = new TusUploader({ baseUrl: 'http://x', token: 't', http: () => Promise.reject(new Error('offline')), sleep: noSleep, retryDelays: [1, 1] });
    await expect(down.upload(blob(10), { name: 'x', type: '' })).rejects.toMatchObject({ code: 'network' });
  });
});

describe('Client.sendFile', () => {
  let server: FakeServer;
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
  });
  afterEach(() => vi.useRealTimers());

  it('shows the upload, then sends the message with the file id, and resumes a stopped upload', async () => {
    server.conversation(4);
    let release: ((id: string) => void) | null = null;
    let fail: ((error: unknown) => void) | null = null;
    const reported: ((sent: number, total: number) => void)[] = [];
    const uploader: Uploader = {
      upload: (_file, _meta, options) =>
        new Promise((resolve, reject) => {
          release = resolve;
          fail = reject;
          if (options?.onProgress) reported.push(options.onProgress);
        }),
    };
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader, newClientMsgId: () => 'cm-1' });
    await client.start();
    await vi.advanceTimersByTimeAsync(0);
    client.sendFile(4, blob(100), { type: 'image', body: { width: 40, height: 30, name: 'cat.jpg' } });
    reported[0]?.(50, 100);
    await vi.advanceTimersByTimeAsync(200);
    expect(client.timeline(4).pending[0]?.upload).toMatchObject({ sent: 50, total: 100, state: 'uploading' });
    expect(server.current.ops('send')).toHaveLength(0);

    // The connection to the file server breaks: failed, resumable.
    (fail as unknown as (e: unknown) => void)(new TidingsError('network', 'down'));
    await vi.advanceTimersByTimeAsync(0);
    expect(client.timeline(4).pending[0]).toMatchObject({ state: 'sending', upload: { state: 'interrupted', error: 'network' } });
    // The manual button does not wait for the connection to come back.
    client.retry('cm-1');
    await vi.advanceTimersByTimeAsync(0);
    expect(client.timeline(4).pending[0]?.upload?.state).toBe('uploading');
    (release as unknown as (id: string) => void)('file-9');
    await vi.advanceTimersByTimeAsync(0);
    const [send] = server.current.ops('send');
    expect(send?.data).toMatchObject({ type: 'image', client_msg_id: 'cm-1', body: { file_id: 'file-9', width: 40, height: 30, name: 'cat.jpg' } });
    expect(client.timeline(4).pending).toHaveLength(0);
  });

  it('sends files in the order they were sent, whichever upload finishes first', async () => {
    server.conversation(4);
    const finish = new Map<string, (id: string) => void>();
    const uploader: Uploader = {
      upload: (_file, meta) => new Promise((resolve) => finish.set(meta.name, resolve)),
    };
    let n = 0;
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader, newClientMsgId: () => `cm-${++n}` });
    await client.start();
    await vi.advanceTimersByTimeAsync(0);
    client.sendFile(4, blob(10), { type: 'file', body: { name: 'big.zip', size: 10 } });
    client.sendFile(4, blob(10), { type: 'file', body: { name: 'small.txt', size: 10 } });
    client.sendText(4, 'text does not wait');
    await vi.advanceTimersByTimeAsync(0);
    finish.get('small.txt')?.('f-small');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.current.ops('send').map((f) => (f.data?.body as { name?: string; text?: string }).name ?? 'text')).toEqual(['text']);
    finish.get('big.zip')?.('f-big');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.current.ops('send').map((f) => (f.data?.body as { name?: string }).name ?? 'text')).toEqual(['text', 'big.zip', 'small.txt']);
  });
  it('resumes an upload the network interrupted once the connection is back, without a click', async () => {
    server.conversation(4);
    const tus = new TusServer();
    // No retries of its own: the first cut fails the upload (as after the retries in real life).
    const uploader = new TusUploader({ baseUrl: 'http://x', token: 't', http: tus.http, chunkSize: 40, retryDelays: [], sleep: noSleep });
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader, newClientMsgId: () => 'cm-1' });
    await client.start();
    await vi.advanceTimersByTimeAsync(0);
    tus.cuts = 1;
    server.reachable = false;
    client.sendFile(4, blob(100), { type: 'file', body: { name: 'report.pdf', size: 100 } });
    server.current.drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.timeline(4).pending[0]).toMatchObject({ state: 'sending', upload: { state: 'interrupted', error: 'network', sent: 0 } });
    expect(tus.uploads.get('f1')?.bytes).toHaveLength(20);

    // The network comes back: the client reconnects, and the upload carries on from byte 20.
    server.reachable = true;
    client.reconnectNow();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.state).toBe('connected');
    expect(tus.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
    expect(tus.requests).toContain('HEAD /files/f1');
    expect(tus.uploads.get('f1')?.bytes).toEqual([...new Uint8Array(await blob(100).arrayBuffer())]);
    const [send] = server.current.ops('send');
    expect(send?.data).toMatchObject({ type: 'file', client_msg_id: 'cm-1', body: { file_id: 'f1', name: 'report.pdf' } });
    expect(client.timeline(4).pending).toHaveLength(0);
  });

  it('leaves paused uploads and final failures to the user when the connection comes back', async () => {
    server.conversation(4);
    const calls: string[] = [];
    const rejects = new Map<string, (error: unknown) => void>();
    let woken = 0;
    const uploader: Uploader = {
      wake: () => {
        woken += 1;
      },
      upload: (_file, meta, options) =>
        new Promise((_resolve, reject) => {
          calls.push(meta.name);
          rejects.set(meta.name, reject);
          options?.signal?.addEventListener('abort', () => reject(new TidingsError('aborted', 'paused')));
        }),
    };
    let n = 0;
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader, newClientMsgId: () => `cm-${++n}` });
    await client.start();
    await vi.advanceTimersByTimeAsync(0);
    client.sendFile(4, blob(10), { type: 'file', body: { name: 'paused.bin', size: 10 } });
    client.sendFile(4, blob(10), { type: 'file', body: { name: 'huge.bin', size: 10 } });
    client.sendFile(4, blob(10), { type: 'file', body: { name: 'cut.bin', size: 10 } });
    await vi.advanceTimersByTimeAsync(0);
    client.pauseUpload('cm-1');
    rejects.get('huge.bin')?.(new TidingsError('file_too_large', 'no'));
    rejects.get('cut.bin')?.(new TidingsError('network', 'down'));
    await vi.advanceTimersByTimeAsync(0);
    expect(client.timeline(4).pending.map((m) => m.upload?.state)).toEqual(['paused', 'failed', 'interrupted']);

    const wokenBefore = woken;
    server.current.drop(1006);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.state).toBe('connected');
    expect(calls).toEqual(['paused.bin', 'huge.bin', 'cut.bin', 'cut.bin']);
    // Uploads between two attempts are told the network is back.
    expect(woken).toBe(wokenBefore + 1);
    expect(client.timeline(4).pending.map((m) => m.upload?.state)).toEqual(['paused', 'failed', 'uploading']);
    // The manual button still works for the paused one.
    client.retry('cm-1');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.at(-1)).toBe('paused.bin');
  });
});
