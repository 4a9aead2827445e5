/**
 * Who uses the console: the same sign-in as the chat app. The console takes the chat app's
 * session from this browser's account book (lib/accounts.ts) when it has one; otherwise it
 * signs in itself and keeps the session in the book, so the chat app in this tab uses it too.
 */
import { AccountBook, type StoredAccount } from '../lib/accounts';
import { webStore } from '../lib/storage';

export interface AdminMe {
  role: string | null;
  powers: string[];
}

export interface SignedIn {
  account: StoredAccount & { token: string };
  me: AdminMe;
}

export type SignInResult = { kind: 'signedIn'; signedIn: SignedIn } | { kind: 'error'; code: string; message: string };

export const book = new AccountBook(
  webStore(() => window.localStorage),
  webStore(() => window.sessionStorage),
);

async function adminMe(token: string): Promise<AdminMe | null> {
  const response = await fetch('/api/v1/admin/me', { headers: { Authorization: `Bearer ${token}` } });
  return response.ok ? ((await response.json()) as AdminMe) : null;
}

/** The chat app's active account (or any other with a live session) in this browser. */
export async function existingSession(): Promise<SignedIn | null> {
  const active = book.activeId();
  const accounts = book.all().sort((a, b) => Number(b.user.id === active) - Number(a.user.id === active));
  for (const account of accounts) {
    if (!account.token) continue;
    const me = await adminMe(account.token).catch(() => null);
    if (me) return { account: { ...account, token: account.token }, me };
  }
  return null;
}

export async function signIn(accountName: string, password: string): Promise<SignInResult> {
  const response = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      account: accountName,
      password,
      platform: 'web',
      device_name: 'Admin console',
      device_token: book.deviceToken(accountName),
    }),
  });
  const body = (await response.json()) as {
    token?: string;
    user?: StoredAccount['user'];
    device_token?: string;
    error?: { code: string; message: string; details?: { challenge?: string } };
  };
  if (body.error?.details?.challenge || (response.ok && (!body.token || !body.user))) {
    // A second step (a code, a second factor): the chat app's sign-in walks it.
    return { kind: 'error', code: 'second_step', message: body.error?.message ?? '' };
  }
  if (!response.ok || body.error || !body.token || !body.user) {
    return { kind: 'error', code: body.error?.code ?? 'http_error', message: body.error?.message ?? response.statusText };
  }
  book.keep(body.user, body.token, false, null);
  book.setActive(body.user.id);
  if (body.device_token) book.keepDeviceToken(body.device_token, [accountName, body.user.account]);
  const me = (await adminMe(body.token)) ?? { role: null, powers: [] };
  return { kind: 'signedIn', signedIn: { account: { user: body.user, token: body.token, credential: null }, me } };
}

export async function signOut(signedIn: SignedIn): Promise<void> {
  await fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${signedIn.account.token}` } }).catch(() => undefined);
  book.dropToken(signedIn.account.user.id);
}
