/**
 * Burn after reading in a direct chat's view model (docs/decisions/0038): a peer's burn
 * message is sealed with nothing of its text shown, opening it counts down and it goes when
 * the time comes; the composer's toggle marks one message; the chat's mode follows the server.
 */
import { Client, MemoryCache, type Entry } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { describeEntry } from '../lib/format';
import { RecentEmoji } from '../lib/emoji';
import { MemoryStore } from '../lib/storage';
import { translator } from '../i18n/i18n';
import { ChatViewModel, type BubbleItem } from '../viewmodels/ChatViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};
const SECRET = 'the vault code is 7741';

async function directChat(now: () => number): Promise<{ server: FakeServer; client: Client; chat: ChatViewModel; sent: Record<string, unknown>[] }> {
  const server = new FakeServer();
  server.conversation(5, 'direct');
  const burn = server.append(5, SECRET);
  (burn.body as { burn?: boolean }).burn = true;
  const sent: Record<string, unknown>[] = [];
  let enabledBy: number[] = [];
  server.handlers.set('burn.mode', () => ({ conversation_id: 5, enabled_by: enabledBy }));
  server.handlers.set('burn.set_mode', (data) => {
    enabledBy = data.enabled ? [1] : [];
    return { conversation_id: 5, enabled_by: enabledBy };
  });
  server.handlers.set('burn.open', (data) => {
    sent.push(data);
    return { conversation_id: 5, seq: data.seq, reader_id: 1, opened_at: 1000, burn_at: 11_000, burned: false };
  });
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  const store = new MemoryStore();
  const chat = new ChatViewModel(5, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store), now);
  await settle();
  return { server, client, chat, sent };
}

const bubbles = (chat: ChatViewModel) => chat.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble');

describe('ChatViewModel: burn after reading', () => {
  it('seals a burn message, opens it with a countdown, and drops it when the time comes', async () => {
    let now = 50_000;
    const { chat, sent } = await directChat(() => now);
    const [sealed] = bubbles(chat);
    expect(sealed?.burn?.state).toBe('sealed');
    expect(sealed?.burn?.mask).not.toContain('7741');
    await chat.burn.open(sealed?.seq ?? 0);
    expect(sent).toEqual([{ conversation_id: 5, seq: 1 }]);
    const [open] = bubbles(chat);
    // Ten seconds on this device's clock, whatever the server's says.
    expect(open?.burn).toMatchObject({ state: 'open', burnAt: 60_000 });
    now = 60_001;
    chat.showToast(null); // the chat shows afresh (the countdown's timer does the same)
    expect(bubbles(chat)).toHaveLength(0);
    expect(chat.getSnapshot().items.some((i) => i.kind === 'notice' && i.text === 'A message burned after reading')).toBe(true);
    chat.dispose();
  });

  it('marks one message with the toggle, every message with the mode', async () => {
    const { server, chat } = await directChat(() => 50_000);
    expect(chat.getSnapshot().burn).toEqual({ available: true, next: false, mode: false, peerMode: false });
    chat.burn.toggleNext();
    chat.setDraft('burn this one');
    chat.send();
    chat.setDraft('not this one');
    chat.send();
    await settle();
    const bodies = server.current.ops('send').map((f) => f.data?.body);
    expect(bodies).toEqual([{ text: 'burn this one', burn: true }, { text: 'not this one' }]);
    await chat.burn.setMode(true);
    expect(chat.getSnapshot().burn.mode).toBe(true);
    chat.dispose();
  });

  it('never shows a burn message in a preview and words the burn entries', () => {
    const t = translator('en');
    const names = { name: (id: number) => (id === 2 ? 'Bob' : `#${id}`) };
    const base = { id: 1, conversation_id: 5, seq: 1, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false };
    const message = { ...base, sender_id: 2, kind: 'message', type: 'text', body: { text: SECRET, burn: true } } as Entry;
    expect(describeEntry(message, 1, names, t)).toBe('[Burn after reading]');
    const tombstone = { ...message, recalled: true, body: { burned: true } } as unknown as Entry;
    expect(describeEntry(tombstone, 1, names, t)).toBe('A message burned after reading');
    const mode = { ...base, seq: 2, sender_id: 2, kind: 'burn_mode', type: null, body: { user_id: 2, enabled: true } } as Entry;
    expect(describeEntry(mode, 1, names, t)).toBe('Bob turned on burn after reading: what they send burns once read');
    const opened = { ...base, seq: 3, sender_id: 1, kind: 'burn_opened', type: null, body: { target_seq: 1, opened_at: 0, burn_at: 1 } } as Entry;
    expect(describeEntry(opened, 1, names, t)).toBe('You opened a burn-after-reading message');
  });
});
