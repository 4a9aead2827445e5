import { describe, expect, it } from 'vitest';
import { linesOf, VisitorChat, type WireEntry } from './chat';

const entry = (seq: number, kind: string, type: string | null, body: Record<string, unknown>, sender: number | null = 7): WireEntry => ({
  seq, sender_id: sender, kind, type, body, client_msg_id: null, created_at: seq * 1000,
});

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('the widget folds its chat', () => {
  it('shows texts and cards, mine and theirs, and who joined or left; nothing else', () => {
    const lines = linesOf(
      [
        entry(1, 'message', 'text', { text: 'hi' }),
        entry(2, 'member_joined', null, { user_ids: [9] }, 9),
        entry(3, 'message', 'text', { text: 'hello' }, 9),
        entry(4, 'message', 'custom_card', { title: 'Order', url: 'https://x.example/o/1' }),
        entry(5, 'message', 'image', { file_id: 'f' }, 9),
        entry(6, 'recall', null, { target_seq: 3 }, 9),
        { ...entry(7, 'message', 'text', { text: 'gone' }, 9), recalled: true },
        entry(8, 'member_left', null, { user_id: 9 }, 9),
      ],
      7,
    );
    expect(lines.map((l) => [l.kind, 'mine' in l ? l.mine : null])).toEqual([
      ['text', true], ['event', null], ['text', false], ['card', true], ['event', null],
    ]);
  });

  it('keeps a session per Tidings server and drops it for a new identity from the page', () => {
    const storage = memoryStorage();
    storage.setItem('tidings.widget:https://t.example', JSON.stringify({ token: 'tok', userId: 7, conversationId: 3, identity: 'old' }));
    const page = () => ({ url: 'https://shop.example/', title: 'Shop' });
    expect(new VisitorChat({ server: 'https://t.example', storage, page }).started).toBe(true);
    expect(new VisitorChat({ server: 'https://other.example', storage, page }).started).toBe(false);
    expect(new VisitorChat({ server: 'https://t.example', storage, page, identityToken: 'new' }).started).toBe(false);
    expect(new VisitorChat({ server: 'https://t.example', storage, page, identityToken: 'old' }).started).toBe(true);
  });

  it('refuses a card without a title or link before anything is sent', async () => {
    const chat = new VisitorChat({ server: 'https://t.example', storage: memoryStorage(), page: () => ({ url: 'https://s/', title: '' }) });
    await expect(chat.sendCard({ title: 'x' } as never)).rejects.toThrow('title and a url');
    expect(chat.snapshot().lines).toEqual([]);
  });
});
