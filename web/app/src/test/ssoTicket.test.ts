import { AuthApi, Client, MemoryCache, type User } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { SessionViewModel } from '../viewmodels/SessionViewModel';

const alice = { id: 1, account: 'alice', nickname: 'Alice', avatar: '', signature: '', work_email: '', office_phone: '', desk: '' } as User;

/** A REST server answering /auth/sso as told, recording the bodies. */
function ticketServer(answer: [number, unknown]) {
  const bodies: Record<string, unknown>[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    if (new URL(String(input)).pathname !== '/api/v1/auth/sso') return new Response('{}', { status: 404 });
    bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    return new Response(JSON.stringify(answer[1]), { status: answer[0] });
  }) as typeof fetch;
  const server = new FakeServer();
  server.validToken = 'token-alice';
  Object.assign(server.me, alice);
  const session = new SessionViewModel({
    auth: new AuthApi('http://x', fetchImpl),
    local: new MemoryStore(),
    tab: new MemoryStore(),
    deviceName: 'Chrome (web)',
    createClient: (token) => new Client({ transport: server.transport, token, cache: new MemoryCache() }),
  });
  return { session, bodies };
}

describe("an app's one-time sign-in ticket (decision 0067)", () => {
  it('spends the ticket by a POST and lands on next, signed in', async () => {
    const { session, bodies } = ticketServer([200, { token: 'token-alice', user: alice, session_id: 7, device_token: 'dt', next: '/?c=3' }]);
    const landed: string[] = [];
    await session.signInWithTicket('t1', (next) => landed.push(next));
    expect(bodies).toEqual([{ ticket: 't1', platform: 'web', device_name: 'Chrome (web)' }]);
    expect(landed).toEqual(['/?c=3']);
    expect(session.getSnapshot().screen).toBe('main');
  });

  it('shows the sign-in form with a notice for a spent or expired ticket', async () => {
    const { session } = ticketServer([401, { error: { code: 'sso_ticket_invalid', message: 'used' } }]);
    const landed: string[] = [];
    await session.signInWithTicket('t2', (next) => landed.push(next));
    const snapshot = session.getSnapshot();
    expect(snapshot.screen === 'signIn' && snapshot.notice).toBe('sso_ticket_refused');
    expect(landed).toEqual(['/']);
  });
});
