/**
 * One JSON request over REST with the error shape of docs/protocol.md
 * (`{"error": {"code", "message", "details"?}}`): a failure becomes a TidingsError carrying
 * the code and the details (a sign-in's challenge, a weak password's reasons).
 */
import { TidingsError } from './errors';

export type Fetch = typeof fetch;

export async function requestJson<T>(
  fetchImpl: Fetch,
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetchImpl(new URL(path, baseUrl).toString(), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new TidingsError('network', 'the server cannot be reached');
  }
  if (response.status === 204) return null as T;
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new TidingsError(error?.code ?? 'internal_error', error?.message ?? `HTTP ${response.status}`, error?.details);
  }
  return payload as T;
}
