import { describe, expect, it } from 'vitest';
import { chatWindowUrl, poppedOutConversation } from '../lib/windows';
import { MemoryStore } from '../lib/storage';
import { SessionViewModel } from '../viewmodels/SessionViewModel';
import { AuthApi, type Client } from '@tidings/sdk';

describe('pop-out windows', () => {
  it('round-trips the conversation id through the address and refuses anything else', () => {
    expect(poppedOutConversation(new URL(chatWindowUrl(42), 'http://x').search)).toBe(42);
    expect(poppedOutConversation('')).toBeNull();
    expect(poppedOutConversation('?chat=0')).toBeNull();
    expect(poppedOutConversation('?chat=4x')).toBeNull();
    expect(poppedOutConversation('?chat=-1')).toBeNull();
  });

  it('never spends the device credential in a pop-out (it would sign the main window out)', async () => {
    const local = new MemoryStore();
    local.set('tidings.accounts', JSON.stringify([{ user: { id: 1, account: 'a' }, token: null, credential: 'credential' }]));
    let asked = 0;
    const auth = new AuthApi('http://x', async () => {
      asked += 1;
      return new Response('{}', { status: 500 });
    });
    const session = new SessionViewModel({
      auth,
      local,
      tab: new MemoryStore(),
      createClient: () => ({}) as Client,
      deviceName: 'test',
      deviceSignIn: false,
    });
    await session.restore();
    expect(asked).toBe(0);
    expect(session.getSnapshot().screen).toBe('signIn');
    expect(JSON.parse(local.get('tidings.accounts') ?? '[]')[0].credential).toBe('credential');
  });
});
