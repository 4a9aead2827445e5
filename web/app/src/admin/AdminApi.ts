/**
 * The admin REST API (`/api/v1/admin/`, docs/protocol.md "Admin API") for the console's pages:
 * paths are relative to it (`api.get('users', { q })`); a refusal throws an AdminError with
 * the server's stable code.
 */

export type Query = Record<string, string | number | boolean | null | undefined>;

export class AdminError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

const BASE = '/api/v1/admin/';

export class AdminApi {
  constructor(
    private readonly token: string,
    /** Called when the session is no longer valid (signed out, frozen): back to sign-in. */
    private readonly onSignedOut: () => void = () => {},
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.call<T>('GET', path, undefined, query);
  }
  post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.call<T>('POST', path, body, query);
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }
  del<T>(path: string, query?: Query): Promise<T> {
    return this.call<T>('DELETE', path, undefined, query);
  }

  /** A multipart upload (a file and fields). */
  upload<T>(path: string, form: FormData, query?: Query): Promise<T> {
    return this.send<T>('POST', path, form, query);
  }

  /** A raw body (a CSV or XLSX file) with its media type. */
  postFile<T>(path: string, file: Blob, query?: Query): Promise<T> {
    return this.send<T>('POST', path, file, query);
  }

  /** Fetch a file the server makes (an export) and hand it to the browser as a download. */
  async download(path: string, query: Query | undefined, filename: string): Promise<void> {
    const response = await this.fetch('GET', path, undefined, query);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /**
   * Upload a small file through tus in one request (creation-with-upload): its id, e.g. for
   * `file:<id>` in the site settings' branding.
   */
  async uploadFile(file: File): Promise<string> {
    const meta = (value: string) => btoa(String.fromCharCode(...new TextEncoder().encode(value)));
    const headers = {
      Authorization: `Bearer ${this.token}`,
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(file.size),
      'Upload-Metadata': `filename ${meta(file.name || 'file')},filetype ${meta(file.type || 'application/octet-stream')}`,
      'Content-Type': 'application/offset+octet-stream',
    };
    let response: Response;
    try {
      response = await fetch(new URL('/files/', window.location.origin), { method: 'POST', headers, body: file });
    } catch {
      throw new AdminError('network_error', 'The server cannot be reached.', 0);
    }
    if (!response.ok) {
      const error = ((await response.json().catch(() => ({}))) as { error?: { code: string; message: string } }).error;
      throw new AdminError(error?.code ?? 'http_error', error?.message ?? response.statusText, response.status);
    }
    if (response.headers.get('Upload-Offset') !== String(file.size)) throw new AdminError('upload_incomplete', 'The upload did not finish.', response.status);
    return (response.headers.get('Location') ?? '').split('/').pop() ?? '';
  }

  /** An API path outside /admin/ (e.g. `/api/v1/org/tree`), for what pages also read. */
  async raw<T>(method: string, absolutePath: string, body?: unknown): Promise<T> {
    return this.parse<T>(await this.fetch(method, absolutePath, body === undefined ? undefined : JSON.stringify(body), undefined, true));
  }

  private call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    return this.send<T>(method, path, body === undefined ? undefined : JSON.stringify(body), query);
  }

  private async send<T>(method: string, path: string, body: BodyInit | undefined, query?: Query): Promise<T> {
    return this.parse<T>(await this.fetch(method, path, body, query));
  }

  private async parse<T>(response: Response): Promise<T> {
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  }

  private async fetch(method: string, path: string, body: BodyInit | undefined, query?: Query, absolute = false): Promise<Response> {
    const url = new URL(absolute ? path : BASE + path.replace(/^\//, ''), window.location.origin);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (typeof body === 'string') headers['Content-Type'] = 'application/json';
    else if (body instanceof Blob && body.type) headers['Content-Type'] = body.type;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch {
      throw new AdminError('network_error', 'The server cannot be reached.', 0);
    }
    if (response.ok) return response;
    let code = 'http_error';
    let message = response.statusText;
    let details: unknown = null;
    try {
      const error = ((await response.json()) as { error?: { code: string; message: string; details?: unknown } }).error;
      if (error) ({ code, message, details = null } = error);
    } catch {
      // Not JSON: keep the status text.
    }
    if (code === 'invalid_token' || code === 'unauthenticated') this.onSignedOut();
    throw new AdminError(code, message, response.status, details);
  }
}
