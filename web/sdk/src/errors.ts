/** Errors the SDK raises; `code` is a server error code or one of the client's own below. */
import type { ErrorCode } from './protocol';

export type ClientErrorCode =
  /** Not connected; the action needs the server. */
  | 'offline'
  /** The connection closed before the reply came. */
  | 'connection_lost'
  /** No reply in time. */
  | 'timeout'
  /** The server could not be reached over HTTP. */
  | 'network';

export class TidingsError extends Error {
  override name = 'TidingsError';
  constructor(
    readonly code: ErrorCode | ClientErrorCode | string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function errorCode(error: unknown): string {
  return error instanceof TidingsError ? error.code : 'internal_error';
}
