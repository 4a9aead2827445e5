/**
 * The REST calls that have no WebSocket twin (docs/protocol.md: "file uploads and downloads
 * (imports, exports, QR codes) are REST only"): a spreadsheet in, a report out; a QR code
 * image out. The session token comes from the signed-in client.
 */
import { TidingsError } from './errors';
import type { ImportReport } from './management';

export class RestApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  /** Send friend requests (and update notes) from a CSV or .xlsx file; a bad file changes nothing. */
  importContacts(file: Blob, name: string): Promise<ImportReport> {
    const format = /\.xlsx$/i.test(name) ? 'xlsx' : 'csv';
    const type =
      format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
    return this.send('POST', `/api/v1/contacts/import?format=${format}`, file, type).then(
      async (response) => (await response.json()) as ImportReport,
    );
  }

  /** An invite's QR code as a PNG (the creator's, or a group member's). */
  async inviteQr(code: string): Promise<Blob> {
    const response = await this.send('GET', `/api/v1/invites/${encodeURIComponent(code)}/qr.png`);
    return response.blob();
  }

  private async send(method: string, path: string, body?: Blob, type?: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token()}` };
    if (type) headers['content-type'] = type;
    let response: Response;
    try {
      response = await this.fetchImpl(new URL(path, this.baseUrl).toString(), { method, headers, body });
    } catch {
      throw new TidingsError('network', 'the server cannot be reached');
    }
    if (!response.ok) {
      const payload: unknown = await response.json().catch(() => null);
      const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
      throw new TidingsError(error?.code ?? 'internal_error', error?.message ?? `HTTP ${response.status}`);
    }
    return response;
  }
}
