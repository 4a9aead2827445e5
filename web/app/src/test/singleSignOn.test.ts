import { AuthApi, Client, MemoryCache, singleSignOnLanding, singleSignOnStartUrl, type User } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { SessionViewModel } from '../viewmodels/SessionViewModel';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await tick();
}

const alice = { id: 1, account: 'alice', nickname: 'Alice', avatar: '', signature: '', work_email: '', office_phone: '', desk: '' } as User;

/** A REST server in a function that answers /auth/oidc/finish as told and records the bodies. */
function singleSignOnServer(
  finish: (body: Record<string, unknown>) => [number, unknown],
  verify: (body: Record<string, unknown>) => [number, unknown] = () => [404, {}],
) {
  const bodies: Record<string, unknown>[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const path = new URL(String(input)).pathname;
    if (path === '/api/v1/auth/options') return new Response(JSON.stringify({ registration: 'closed', sms_enabled: false, email_enabled: false, oidc: { label: 'Okta' } }));
    const answerWith = path === '/api/v1/auth/oidc/finish' ? finish : path === '/api/v1/auth/login/verify' ? verify : null;
    if (!answerWith) return new Response('{}', { status: 404 });
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    bodies.push(body);
    const [status, answer] = answerWith(body);
    return new Response(JSON.stringify(answer), { status });
  }) as typeof fetch;
  const server = new FakeServer();
  server.validToken = 'token-alice';
  Object.assign(server.me, alice);
  const started: boolean[] = [];
  const visited: string[] = [];
  const session = new SessionViewModel({
    auth: new AuthApi('http://x', fetchImpl),
    local: new MemoryStore(),
    tab: new MemoryStore(),
    deviceName: 'Chrome (web)',
    createClient: (token) => new Client({ transport: server.transport, token, cache: new MemoryCache() }),
    singleSignOn: { start: (remember) => started.push(remember), goTo: (path) => visited.push(path) },
  });
  return { session, bodies, started, visited };
}

describe('single sign-on (OpenID Connect)', () => {
  it('reads the landing from the fragment and builds the start address', () => {
    expect(singleSignOnLanding('#oidc=abc-_1')).toEqual({ handoff: 'abc-_1' });
    expect(singleSignOnLanding('#oidc_error=oidc_user_unknown')).toEqual({ error: 'oidc_user_unknown' });
    expect(singleSignOnLanding('#oidc_error=<script>')).toBeNull();
    expect(singleSignOnLanding('#/c/12')).toBeNull();
    expect(singleSignOnStartUrl('https://chat.example.com', true)).toBe('https://chat.example.com/api/v1/auth/oidc/start?remember=true');
    expect(singleSignOnStartUrl('https://chat.example.com', false, '/admin')).toBe('https://chat.example.com/api/v1/auth/oidc/start?remember=false&next=%2Fadmin');
  });

  it('leaves for the provider with the remember choice, then spends the handoff and goes where asked', async () => {
    const { session, bodies, started, visited } = singleSignOnServer(() => [
      200,
      { token: 'token-alice', user: alice, session_id: 7, device_credential: 'cred', device_token: 'dt-1', next: '/admin' },
    ]);
    await session.restore();
    await session.signInForm.loadOptions();
    expect(session.signInForm.getSnapshot().options?.oidc).toEqual({ label: 'Okta' });
    session.signInForm.startSingleSignOn(false);
    expect(started).toEqual([false]);
    expect(session.signInForm.getSnapshot().busy).toBe(true);

    await session.finishSingleSignOn({ handoff: 'h-1' });
    await settle();
    expect(bodies).toEqual([{ handoff: 'h-1', device_name: 'Chrome (web)' }]);
    expect(session.getSnapshot()).toMatchObject({ screen: 'main', user: { id: 1 } });
    // Remembered (a credential came back), with the device token kept for the next single sign-on.
    expect(session.book.all()[0]).toMatchObject({ token: 'token-alice', credential: 'cred' });
    expect(session.book.deviceToken('oidc')).toBe('dt-1');
    expect(visited).toEqual(['/admin']);
  });

  it('keeps where to land and "remember me" through a second step (TOTP)', async () => {
    const challenge = { challenge: 'ch-1', methods: ['totp', 'recovery_code'], expires_in: 300, next: '/admin?tab=users', remember: false };
    const { session, bodies, visited } = singleSignOnServer(
      () => [401, { error: { code: 'second_factor_required', message: 'a code', details: challenge } }],
      () => [200, { token: 'token-alice', user: alice, session_id: 7, device_token: 'dt-2' }],
    );
    await session.restore();
    await session.finishSingleSignOn({ handoff: 'h-2' });
    expect(session.signInForm.getSnapshot().step).toMatchObject({ kind: 'secondStep', method: 'totp' });
    expect(visited).toEqual([]);
    await session.signInForm.verify('123456');
    await settle();
    // As the sign-in was started: not remembered (the server is told so), then where asked.
    expect(bodies[1]).toMatchObject({ challenge: 'ch-1', code: '123456', method: 'totp', remember: false });
    expect(session.getSnapshot()).toMatchObject({ screen: 'main', user: { id: 1 } });
    expect(session.book.all()[0]?.credential ?? null).toBeNull();
    expect(visited).toEqual(['/admin?tab=users']);
  });

  it('shows why a single sign-on failed, from the landing or from the server', async () => {
    const { session, visited } = singleSignOnServer(() => [401, { error: { code: 'oidc_state_invalid', message: 'start again' } }]);
    await session.restore();
    await session.finishSingleSignOn({ error: 'oidc_user_unknown' });
    expect(session.getSnapshot()).toMatchObject({ screen: 'signIn' });
    expect(session.signInForm.getSnapshot().error).toBe('oidc_user_unknown');
    await session.finishSingleSignOn({ handoff: 'spent' });
    expect(session.signInForm.getSnapshot().error).toBe('oidc_state_invalid');
    expect(visited).toEqual([]);
  });
});
