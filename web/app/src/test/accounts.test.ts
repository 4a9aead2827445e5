import { AccountSecurityApi, AuthApi, Client, MemoryCache, type User } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { AccountBook } from '../lib/accounts';
import { MemoryStore } from '../lib/storage';
import { SecurityViewModel, svgImage } from '../viewmodels/SecurityViewModel';
import { SessionViewModel } from '../viewmodels/SessionViewModel';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await tick();
}

interface Call {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  token: string | null;
}

/** A REST server in a function: each path answers with a status and a body. */
function restServer(routes: Record<string, (call: Call) => [number, unknown]>) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const call: Call = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      body: init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : null,
      token: (init?.headers as Record<string, string> | undefined)?.authorization?.replace('Bearer ', '') ?? null,
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    if (!route) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no route' } }), { status: 404 });
    const [status, body] = route(call);
    return status === 204 ? new Response(null, { status }) : new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const user = (id: number, account: string): User =>
  ({ id, account, nickname: account.toUpperCase(), avatar: '', signature: '', work_email: '', office_phone: '', desk: '' }) as User;

/** Two accounts, each with its own fake server (its own connection), like two real sessions. */
function twoAccounts() {
  const servers = new Map<number, FakeServer>();
  for (const [id, account] of [[1, 'alice'], [2, 'bob']] as const) {
    const server = new FakeServer();
    server.validToken = `token-${account}`;
    Object.assign(server.me, user(id, account));
    servers.set(id, server);
  }
  const rest = restServer({
    'GET /api/v1/auth/options': () => [200, { registration: 'open', email_enabled: true, sms_enabled: false }],
    'POST /api/v1/auth/login': (call) => {
      const account = String(call.body?.account);
      const id = account === 'alice' ? 1 : 2;
      return [200, { token: `token-${account}`, user: user(id, account), session_id: id, device_credential: `cred-${account}`, device_token: `dt-${account}` }];
    },
    'POST /api/v1/auth/logout': () => [204, null],
  });
  const local = new MemoryStore();
  const created: Client[] = [];
  const make = (tab = new MemoryStore()) =>
    new SessionViewModel({
      auth: new AuthApi('http://x', rest.fetchImpl),
      local,
      tab,
      deviceName: 'test',
      createClient: (token, u) => {
        const client = new Client({ transport: servers.get(u.id)!.transport, token, cache: new MemoryCache() });
        created.push(client);
        return client;
      },
    });
  return { servers, rest, local, make, created };
}

describe('several accounts in one client (A8)', () => {
  it('adds a second account, switches back and forth, and counts unread per account', async () => {
    const { servers, rest, make } = twoAccounts();
    servers.get(2)!.conversation(5).unread = 3;
    servers.get(1)!.conversation(9);
    const session = make();
    await session.restore();
    await session.signInForm.signInWithPassword('alice', 'pw', true);
    await settle();
    const first = session.getSnapshot();
    expect(first).toMatchObject({ screen: 'main', user: { id: 1 } });

    session.addAccount();
    expect(session.getSnapshot()).toMatchObject({ screen: 'signIn', canCancel: true });
    await session.signInForm.signInWithPassword('bob', 'pw', false);
    await settle();
    const second = session.getSnapshot();
    expect(second).toMatchObject({ screen: 'main', user: { id: 2 } });
    if (second.screen !== 'main' || first.screen !== 'main') throw new Error('not signed in');
    expect(second.accounts.map((a) => [a.user.account, a.active, a.unread])).toEqual([
      ['alice', false, 0],
      ['bob', true, 3],
    ]);

    // Alice's own connection keeps running while Bob is shown.
    const entry = servers.get(1)!.append(9, 'hi alice');
    servers.get(1)!.current.push('entry', entry);
    await settle();
    const afterMessage = session.getSnapshot();
    if (afterMessage.screen !== 'main') throw new Error('not signed in');
    expect(afterMessage.accounts.find((a) => a.user.id === 1)?.unread).toBe(1);

    session.switchTo(1);
    const back = session.getSnapshot();
    if (back.screen !== 'main') throw new Error('not signed in');
    // The same client as before: its state (and cache, drafts) went nowhere.
    expect(back.client).toBe(first.client);
    expect(back.client.conversation(9)).toBeTruthy();
    // Each sign-in sends the device token kept for that account (none yet the first time).
    session.addAccount();
    await session.signInForm.signInWithPassword('alice', 'pw', true);
    const logins = rest.calls.filter((c) => c.path === '/api/v1/auth/login');
    expect(logins.map((c) => c.body?.device_token)).toEqual([undefined, undefined, 'dt-alice']);
  });

  it('signs one account out and leaves the other signed in', async () => {
    const { servers, make, rest } = twoAccounts();
    const session = make();
    await session.restore();
    await session.signInForm.signInWithPassword('alice', 'pw', true);
    session.addAccount();
    await session.signInForm.signInWithPassword('bob', 'pw', true);
    await settle();
    await session.signOut(2);
    await settle();
    const state = session.getSnapshot();
    expect(state).toMatchObject({ screen: 'main', user: { id: 1 } });
    if (state.screen !== 'main') throw new Error('not signed in');
    expect(state.accounts.map((a) => a.user.id)).toEqual([1]);
    expect(session.book.all().map((a) => a.user.id)).toEqual([1]);
    expect(servers.get(2)!.current.ops('logout')).toHaveLength(1);
    expect(servers.get(1)!.current.closed).toBeNull();
    void rest;
  });

  it('shows a forced sign-out for that account only', async () => {
    const { servers, make } = twoAccounts();
    const session = make();
    await session.restore();
    await session.signInForm.signInWithPassword('alice', 'pw', true);
    session.addAccount();
    await session.signInForm.signInWithPassword('bob', 'pw', true);
    await settle();
    // Alice (not shown) is displaced by another device.
    servers.get(1)!.current.push('signed_out', { reason: 'signed_in_elsewhere' });
    servers.get(1)!.current.drop(4001);
    await settle();
    const state = session.getSnapshot();
    expect(state).toMatchObject({ screen: 'main', user: { id: 2 } });
    if (state.screen !== 'main') throw new Error('not signed in');
    expect(state.accounts.map((a) => [a.user.id, a.notice])).toEqual([
      [1, 'signed_in_elsewhere'],
      [2, null],
    ]);
    expect(session.book.all().map((a) => a.user.id)).toEqual([2]);
    // Choosing Alice asks for her password again, with the notice, and Bob is one click away.
    session.switchTo(1);
    expect(session.getSnapshot()).toMatchObject({ screen: 'signIn', notice: 'signed_in_elsewhere', noticeFor: { id: 1 }, canCancel: true });
    expect(session.signInForm.getSnapshot().prefill).toBe('alice');
    session.cancelSignIn();
    expect(session.getSnapshot()).toMatchObject({ screen: 'main', user: { id: 2 } });
    // Or it leaves the list.
    session.switchTo(1);
    session.forget(1);
    const after = session.getSnapshot();
    expect(after).toMatchObject({ screen: 'main', user: { id: 2 } });
    if (after.screen !== 'main') throw new Error('not signed in');
    expect(after.accounts.map((a) => a.user.id)).toEqual([2]);
  });

  it('brings every stored account back on the next visit, showing the one last shown in this tab', async () => {
    const { make } = twoAccounts();
    const tab = new MemoryStore();
    const session = make(tab);
    await session.restore();
    await session.signInForm.signInWithPassword('alice', 'pw', true);
    session.addAccount();
    await session.signInForm.signInWithPassword('bob', 'pw', false);
    session.switchTo(1);
    await settle();
    session.suspend();

    const again = make(tab);
    await again.restore();
    await settle();
    const state = again.getSnapshot();
    expect(state).toMatchObject({ screen: 'main', user: { id: 1 } });
    if (state.screen !== 'main') throw new Error('not signed in');
    expect(state.accounts.map((a) => a.user.id).sort()).toEqual([1, 2]);
    // A new tab has only the remembered account (Bob's session lived in the other tab).
    const other = make(new MemoryStore());
    await other.restore();
    const elsewhere = other.getSnapshot();
    if (elsewhere.screen !== 'main') throw new Error('not signed in');
    expect(elsewhere.accounts.map((a) => a.user.id)).toEqual([1]);
  });

  it('keeps an account signed in again in its place, in the store its "remember me" chose', () => {
    const local = new MemoryStore();
    const tab = new MemoryStore();
    const book = new AccountBook(local, tab);
    book.keep(user(1, 'a'), 't1', true, 'c1');
    book.keep(user(2, 'b'), 't2', true, 'c2');
    book.keep(user(1, 'a'), 't1b', true, 'c1b');
    expect(book.all().map((a) => [a.user.id, a.token, a.credential])).toEqual([[1, 't1b', 'c1b'], [2, 't2', 'c2']]);
    book.keep(user(2, 'b'), 't2b', false, 'ignored');
    expect(JSON.parse(local.get('tidings.accounts') ?? '[]')).toHaveLength(1);
    expect(book.all().find((a) => a.user.id === 2)).toEqual({ user: user(2, 'b'), token: 't2b', credential: null });
  });

  it('upgrades the single session stored before several accounts', () => {
    const local = new MemoryStore();
    local.set('tidings.session', JSON.stringify({ token: 't', user: user(4, 'dora') }));
    local.set('tidings.device', 'cred');
    const book = new AccountBook(local, new MemoryStore());
    expect(book.all()).toEqual([{ user: user(4, 'dora'), token: 't', credential: 'cred' }]);
    expect(local.get('tidings.session')).toBeNull();
  });
});

describe('SignInViewModel', () => {
  function form(routes: Record<string, (call: { body: Record<string, unknown> | null }) => [number, unknown]>) {
    const rest = restServer(routes);
    const signedIn: string[] = [];
    const session = new SessionViewModel({
      auth: new AuthApi('http://x', rest.fetchImpl),
      local: new MemoryStore(),
      tab: new MemoryStore(),
      deviceName: 'test',
      createClient: (token) => {
        signedIn.push(token);
        return new Client({ transport: new FakeServer().transport, token, cache: new MemoryCache() });
      },
      security: (token) => new AccountSecurityApi('http://x', () => token, rest.fetchImpl),
    });
    return { vm: session.signInForm, session, rest, signedIn };
  }
  const ok = (extra: Record<string, unknown> = {}): [number, unknown] => [200, { token: 'tok', user: user(1, 'alice'), session_id: 1, device_token: 'dt-1', ...extra }];

  it('asks for the authenticator code, then a recovery code, and signs in', async () => {
    const { vm, rest, signedIn } = form({
      'POST /api/v1/auth/login': () => [401, { error: { code: 'second_factor_required', message: '', details: { challenge: 'ch-1', methods: ['totp', 'recovery_code'], expires_in: 300 } } }],
      'POST /api/v1/auth/login/verify': (call) =>
        call.body?.code === 'abcd-efgh' ? ok() : [401, { error: { code: 'invalid_code', message: 'wrong' } }],
    });
    await vm.signInWithPassword('alice', 'pw', true);
    expect(vm.getSnapshot().step).toMatchObject({ kind: 'secondStep', method: 'totp', challenge: { challenge: 'ch-1', reason: 'second_factor_required' } });
    await vm.verify('123456');
    expect(vm.getSnapshot()).toMatchObject({ error: 'invalid_code', step: { kind: 'secondStep' } });
    vm.setSecondStepMethod('recovery_code');
    await vm.verify(' abcd-efgh ');
    expect(rest.calls.at(-1)?.body).toEqual({ challenge: 'ch-1', code: 'abcd-efgh', method: 'recovery_code', remember: true });
    expect(signedIn).toEqual(['tok']);
    expect(vm.getSnapshot().step.kind).toBe('credentials');
  });

  it('confirms a new device with the code sent to the masked address, and can resend it', async () => {
    const { vm, rest, signedIn } = form({
      'POST /api/v1/auth/codes': () => [202, {}],
      'POST /api/v1/auth/login/code': () => [401, { error: { code: 'device_confirmation_required', message: '', details: { challenge: 'ch-2', methods: ['email'], destination: 'a***@example.com', expires_in: 300 } } }],
      'POST /api/v1/auth/login/resend': () => [204, null],
      'POST /api/v1/auth/login/verify': () => ok(),
    });
    vm.setMethod('email');
    await vm.sendSignInCode('alice@example.com');
    expect(vm.getSnapshot()).toMatchObject({ codeSentTo: 'alice@example.com', info: 'codeSent' });
    await vm.signInWithCode('alice@example.com', '111111', false);
    expect(vm.getSnapshot().step).toMatchObject({ kind: 'secondStep', method: 'email', challenge: { destination: 'a***@example.com' } });
    await vm.resend();
    expect(vm.getSnapshot().step).toMatchObject({ resent: true });
    await vm.verify('222222');
    expect(signedIn).toEqual(['tok']);
    expect(rest.calls.map((c) => c.path)).toEqual([
      '/api/v1/auth/codes',
      '/api/v1/auth/login/code',
      '/api/v1/auth/login/resend',
      '/api/v1/auth/login/verify',
    ]);
  });

  it('makes the password change first when an administrator reset it, with the reasons of a weak one', async () => {
    let attempts = 0;
    const { vm, rest, signedIn } = form({
      'POST /api/v1/auth/login': () => ok({ password_change_required: true }),
      'POST /api/v1/me/password': () =>
        (attempts += 1) === 1
          ? [422, { error: { code: 'weak_password', message: '', details: { reasons: ['too_short', 'too_guessable'] } } }]
          : [200, { signed_out: 0 }],
    });
    await vm.signInWithPassword('alice', 'one-time-pw', true);
    expect(vm.getSnapshot().step).toEqual({ kind: 'changePassword', account: 'alice' });
    expect(signedIn).toEqual([]);
    await vm.changePassword('short');
    expect(vm.getSnapshot()).toMatchObject({ error: 'weak_password', reasons: ['too_short', 'too_guessable'] });
    await vm.changePassword('a much better passphrase');
    expect(rest.calls.at(-1)).toMatchObject({ token: 'tok', body: { current_password: 'one-time-pw', new_password: 'a much better passphrase', sign_out_others: true } });
    expect(signedIn).toEqual(['tok']);
  });

  it('resets a forgotten password with a code, and hides registration when it is closed', async () => {
    const { vm, rest } = form({
      'GET /api/v1/auth/options': () => [200, { registration: 'closed', email_enabled: true, sms_enabled: true }],
      'POST /api/v1/auth/codes': () => [202, {}],
      'POST /api/v1/auth/password/reset': () => [204, null],
    });
    await vm.loadOptions();
    vm.setMode('register');
    expect(vm.getSnapshot().mode).toBe('signIn');
    vm.startForgot();
    vm.setForgotChannel('sms');
    await vm.sendResetCode('+8613800000000');
    await vm.resetPassword('333333', 'new passphrase here');
    expect(rest.calls.at(-1)?.body).toEqual({ channel: 'sms', destination: '+8613800000000', code: '333333', new_password: 'new passphrase here' });
    expect(vm.getSnapshot()).toMatchObject({ step: { kind: 'credentials' }, info: 'passwordReset' });
  });

  it('sends the invite code on registration and falls back to password sign-in without /auth/options', async () => {
    const { vm, rest } = form({ 'POST /api/v1/auth/register': () => ok() });
    await vm.loadOptions();
    expect(vm.getSnapshot().options).toEqual({ registration: 'open', email_enabled: false, sms_enabled: false });
    vm.setMode('register');
    await vm.register('alice', 'passphrase', 'Alice', ' INV-1 ', true);
    expect(rest.calls.at(-1)?.body).toMatchObject({ account: 'alice', invite_code: 'INV-1' });
  });
});

describe('SecurityViewModel', () => {
  const overview = (totp: boolean) => ({
    email: null, email_verified: false, phone: null, phone_verified: false, totp_enabled: totp,
    recovery_codes_left: totp ? 10 : 0, password_change_required: false,
    known_devices: [{ id: 1, device_name: 'Chrome (web)', platform: 'web', first_used_at: 1, last_used_at: 2, last_ip: '127.0.0.1' }],
  });

  it('enrols an authenticator app: QR code as an image, confirm, recovery codes once', async () => {
    let totp = false;
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const rest = restServer({
      'GET /api/v1/me/security': () => [200, overview(totp)],
      'POST /api/v1/me/totp': () => [200, { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x', qr_svg: svg }],
      'POST /api/v1/me/totp/confirm': (call) => {
        if (call.body?.code !== '123456') return [401, { error: { code: 'invalid_code', message: '' } }];
        totp = true;
        return [200, { recovery_codes: ['a-1', 'b-2'] }];
      },
    });
    const vm = new SecurityViewModel(new AccountSecurityApi('http://x', () => 'tok', rest.fetchImpl));
    await vm.load();
    expect(vm.getSnapshot().overview?.known_devices).toHaveLength(1);
    await vm.startTotp();
    const panel = vm.getSnapshot().panel;
    expect(panel).toMatchObject({ kind: 'totpSetup', enrolment: { secret: 'JBSWY3DPEHPK3PXP' } });
    // The server's markup is only ever an image address, never markup in the page.
    if (panel?.kind !== 'totpSetup') throw new Error('no enrolment');
    expect(panel.qrImage.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(atob(panel.qrImage.split(',')[1] ?? '')).toBe(svg);
    await vm.confirmTotp('000000');
    expect(vm.getSnapshot()).toMatchObject({ error: 'invalid_code', panel: { kind: 'totpSetup' } });
    await vm.confirmTotp('123456');
    expect(vm.getSnapshot()).toMatchObject({ panel: { kind: 'recoveryCodes', codes: ['a-1', 'b-2'] }, overview: { totp_enabled: true } });
    expect(vm.recoveryCodesText()).toBe('a-1\nb-2\n');
    vm.close();
    expect(vm.getSnapshot().panel).toBeNull();
  });

  it('changes the password, reports weak ones and how many devices were signed out', async () => {
    const rest = restServer({
      'POST /api/v1/me/password': (call) =>
        String(call.body?.new_password).length < 8
          ? [422, { error: { code: 'weak_password', message: '', details: { reasons: ['too_short'] } } }]
          : [200, { signed_out: 2 }],
    });
    const vm = new SecurityViewModel(new AccountSecurityApi('http://x', () => 'tok', rest.fetchImpl));
    vm.open('password');
    await vm.changePassword('old', 'short', true);
    expect(vm.getSnapshot()).toMatchObject({ error: 'weak_password', reasons: ['too_short'] });
    await vm.changePassword('old', 'long enough now', true);
    expect(vm.getSnapshot()).toMatchObject({ error: null, panel: { kind: 'password', signedOut: 2 } });
    expect(rest.calls.at(-1)?.body).toEqual({ current_password: 'old', new_password: 'long enough now', sign_out_others: true });
  });

  it('binds an email address with a code', async () => {
    let bound: string | null = null;
    const rest = restServer({
      'GET /api/v1/me/security': () => [200, { ...overview(false), email: bound, email_verified: bound !== null }],
      'POST /api/v1/me/email': () => [202, {}],
      'POST /api/v1/me/email/verify': () => {
        bound = 'a@example.com';
        return [200, user(1, 'alice')];
      },
    });
    const vm = new SecurityViewModel(new AccountSecurityApi('http://x', () => 'tok', rest.fetchImpl));
    vm.openBind('email');
    await vm.bind(' a@example.com ');
    expect(vm.getSnapshot().panel).toEqual({ kind: 'bind', channel: 'email', sentTo: 'a@example.com' });
    await vm.verifyBinding('444444');
    expect(vm.getSnapshot()).toMatchObject({ panel: null, overview: { email: 'a@example.com', email_verified: true } });
  });

  it('makes new recovery codes with an app code, turns TOTP off and unbinds a phone with the password', async () => {
    let totp = true;
    let phone: string | null = '+8613912345678';
    const rest = restServer({
      'GET /api/v1/me/security': () => [200, { ...overview(totp), phone, phone_verified: phone !== null }],
      'POST /api/v1/me/totp/recovery-codes': (call) =>
        call.body?.code === '654321' ? [200, { recovery_codes: ['n-1'] }] : [401, { error: { code: 'invalid_code', message: '' } }],
      'DELETE /api/v1/me/totp': (call) => {
        if (call.body?.password !== 'pw') return [401, { error: { code: 'invalid_credentials', message: '' } }];
        totp = false;
        return [204, null];
      },
      'DELETE /api/v1/me/phone': () => {
        phone = null;
        return [204, null];
      },
    });
    const vm = new SecurityViewModel(new AccountSecurityApi('http://x', () => 'tok', rest.fetchImpl));
    await vm.load();
    vm.open('regenerate');
    await vm.regenerateRecoveryCodes('000000');
    expect(vm.getSnapshot()).toMatchObject({ error: 'invalid_code', panel: { kind: 'regenerate' } });
    await vm.regenerateRecoveryCodes('654321');
    expect(vm.getSnapshot().panel).toEqual({ kind: 'recoveryCodes', codes: ['n-1'] });
    vm.open('totpDisable');
    await vm.disableTotp('wrong');
    expect(vm.getSnapshot()).toMatchObject({ error: 'invalid_credentials', overview: { totp_enabled: true } });
    await vm.disableTotp('pw');
    expect(vm.getSnapshot()).toMatchObject({ error: null, panel: null, overview: { totp_enabled: false } });
    vm.openUnbind('sms');
    await vm.unbind('pw');
    expect(rest.calls.at(-2)).toMatchObject({ method: 'DELETE', path: '/api/v1/me/phone', body: { password: 'pw' } });
    expect(vm.getSnapshot().overview?.phone).toBeNull();
  });

  it('encodes any SVG text as a data address, with the namespace an image needs', () => {
    const decoded = (url: string) => new TextDecoder().decode(Uint8Array.from(atob(url.split(',')[1] ?? ''), (c) => c.charCodeAt(0)));
    expect(decoded(svgImage('<svg width="9">é</svg>'))).toBe('<svg xmlns="http://www.w3.org/2000/svg" width="9">é</svg>');
    const namespaced = '<svg xmlns="http://www.w3.org/2000/svg"><path/></svg>';
    expect(decoded(svgImage(namespaced))).toBe(namespaced);
  });
});
