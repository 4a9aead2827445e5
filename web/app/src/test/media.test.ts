import { Client, MemoryCache, TidingsError, type Entry, type Uploader } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { RecentEmoji } from '../lib/emoji';
import { coordinatesText, formatDuration, mapUrl, priceText, safeWebUrl, sameOriginImage } from '../lib/media';
import { MemoryStore } from '../lib/storage';
import { ChatViewModel, favoriteFileOf, type BubbleItem } from '../viewmodels/ChatViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

function message(server: FakeServer, type: string, body: Record<string, unknown>, senderId = 2): Entry {
  const entry = server.append(4, '', senderId);
  Object.assign(entry, { type, body });
  return entry;
}

async function chatOf(server: FakeServer, uploader?: Uploader) {
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), ...(uploader ? { uploader } : {}) });
  await client.start();
  await settle();
  const store = new MemoryStore();
  const chat = new ChatViewModel(4, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store), Date.now, {
    origin: 'https://chat.example.com',
  });
  await settle();
  const bubbles = () => chat.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble');
  return { client, chat, bubbles };
}

describe('media helpers', () => {
  it('formats durations, coordinates, prices and links', () => {
    expect(formatDuration(7_400)).toBe('0:07');
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(Number.NaN)).toBe('0:00');
    expect(coordinatesText(31.2304216, 121.4737, true)).toBe('31.23042° N, 121.47370° E');
    expect(coordinatesText(-33.87, -70.5, false)).toBe('≈ 33.87° S, 70.50° W');
    expect(coordinatesText(91, 0, true)).toBe('');
    expect(mapUrl(31.2304216, 121.4737, true)).toBe('https://www.openstreetmap.org/?mlat=31.230422&mlon=121.473700#map=16/31.230422/121.473700');
    // A blurred place opens the area, without a pin on a point.
    expect(mapUrl(31.23, 121.47, false)).toBe('https://www.openstreetmap.org/#map=13/31.23/121.47');
    expect(mapUrl(Number.NaN, 0, true)).toBeNull();
    expect(priceText('128', 'CNY', 'zh-CN')).toBe('¥128.00');
    expect(priceText('19.9', 'USD', 'en')).toBe('$19.90');
    expect(priceText('19.9', undefined, 'en')).toBe('19.9');
    expect(priceText('1e9', 'USD', 'en')).toBeNull();
    expect(safeWebUrl('javascript:alert(1)')).toBeNull();
    expect(safeWebUrl('data:text/html,<b>x</b>')).toBeNull();
    expect(safeWebUrl('/relative')).toBeNull();
    expect(safeWebUrl('https://shop.example.com/o/1?x=1')).toBe('https://shop.example.com/o/1?x=1');
    expect(sameOriginImage('https://chat.example.com/p.png', 'https://chat.example.com')).toBe('https://chat.example.com/p.png');
    expect(sameOriginImage('https://tracker.example.net/p.png', 'https://chat.example.com')).toBeNull();
  });
});

describe('ChatViewModel media bubbles', () => {
  it('shows voice, video, location, contact card, host card and sticker as media, not placeholders', async () => {
    const server = new FakeServer();
    server.conversation(4);
    message(server, 'voice', { file_id: 'v1', duration_ms: 12_300, size: 4000 });
    message(server, 'video', { file_id: 'm1', duration_ms: 65_000, width: 1280, height: 720, poster_file_id: 'p1', expires_at: 1 });
    message(server, 'location', { latitude: 31.2304216, longitude: 121.4737, precision: 'precise', name: 'The Bund', address: 'Zhongshan Rd, Shanghai' });
    message(server, 'location', { latitude: 31.23, longitude: 121.47, precision: 'blurred' });
    message(server, 'contact_card', { user_id: 2 });
    message(server, 'custom_card', {
      title: 'Order #1024',
      url: 'https://shop.example.com/orders/1024',
      description: 'Two tea cups',
      price: '128',
      currency: 'CNY',
      image_url: 'https://tracker.example.net/pixel.png',
      source: 'Tea Shop',
    });
    message(server, 'custom_card', { title: 'Sneaky', url: 'javascript:alert(1)', image_url: 'https://chat.example.com/files/x.png' });
    message(server, 'sticker', { file_id: 's1', width: 240, height: 240, emoji: '🎉' });
    const { chat, bubbles, client } = await chatOf(server);
    const items = bubbles();
    expect(items.map((b) => b.media?.kind)).toEqual(['voice', 'video', 'location', 'location', 'contact', 'card', 'card', 'sticker']);
    // No "[Voice]" or "[Message not supported yet]" text under any of them.
    expect(items.map((b) => b.text)).toEqual(['', '', '', '', '', '', '', '']);
    expect(items[0]?.media).toEqual({ kind: 'voice', fileId: 'v1', durationMs: 12_300, durationText: '0:12', expired: false, expiry: null, waveform: null });
    expect(items[1]?.media).toMatchObject({ kind: 'video', fileId: 'm1', posterFileId: 'p1', width: 1280, height: 720, durationText: '1:05', expired: true, expiry: null });
    expect(items[2]?.media).toMatchObject({
      kind: 'location',
      name: 'The Bund',
      address: 'Zhongshan Rd, Shanghai',
      precise: true,
      coordinates: '31.23042° N, 121.47370° E',
      mapUrl: 'https://www.openstreetmap.org/?mlat=31.230422&mlon=121.473700#map=16/31.230422/121.473700',
    });
    expect(items[3]?.media).toMatchObject({ kind: 'location', name: '', precise: false, coordinates: '≈ 31.23° N, 121.47° E', mapUrl: 'https://www.openstreetmap.org/#map=13/31.23/121.47' });
    expect(items[4]?.media).toMatchObject({ kind: 'contact', userId: 2 });
    expect(items[5]?.media).toEqual({
      kind: 'card',
      title: 'Order #1024',
      description: 'Two tea cups',
      price: 'CN¥128.00',
      url: 'https://shop.example.com/orders/1024',
      host: 'shop.example.com',
      // A picture from a stranger's server is not loaded (the CSP would refuse it; it would track readers).
      imageUrl: null,
      source: 'Tea Shop',
      fields: [],
    });
    // A javascript: link never becomes a link; a picture from this server shows.
    expect(items[6]?.media).toMatchObject({ kind: 'card', url: null, host: '', imageUrl: 'https://chat.example.com/files/x.png' });
    expect(items[7]?.media).toEqual({ kind: 'sticker', fileId: 's1', width: 240, height: 240, emoji: '🎉' });
    // "Add to favourites" is offered for the files that are still there, nothing else.
    expect(items.map(favoriteFileOf)).toEqual(['v1', null, null, null, null, null, null, 's1']);
    chat.dispose();
    client.stop();
  });

  it('shows an upload the network cut off as waiting, not failed', async () => {
    const server = new FakeServer();
    server.conversation(4);
    let fail: ((error: unknown) => void) | null = null;
    const uploader: Uploader = { upload: () => new Promise((_resolve, reject) => (fail = reject)) };
    const { chat, bubbles, client } = await chatOf(server, uploader);
    client.sendFile(4, new Blob(['abc']), { type: 'file', body: { name: 'a.txt', size: 3 } });
    await settle();
    (fail as unknown as (e: unknown) => void)(new TidingsError('network', 'down'));
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bubbles()[0]).toMatchObject({ state: 'sending', upload: { state: 'interrupted' } });
    chat.dispose();
    client.stop();
  });
});
