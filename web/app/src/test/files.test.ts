import { Client, MemoryCache, type Uploader } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { bubbleSize, compressionPlan, formatBytes, renamed, type ImagePreparer } from '../lib/images';
import { RecentEmoji } from '../lib/emoji';
import { MemoryStore } from '../lib/storage';
import { ChatViewModel, type BubbleItem } from '../viewmodels/ChatViewModel';
import { ImageViewerViewModel, MAX_ZOOM } from '../viewmodels/ImageViewerViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

describe('image compression plan', () => {
  it('shrinks big photos to 1920 pixels a side as JPEG, PNGs as WebP, and leaves the rest', () => {
    expect(compressionPlan({ width: 4000, height: 3000, size: 5e6, type: 'image/jpeg' })).toEqual({ width: 1920, height: 1440, type: 'image/jpeg', quality: 0.82 });
    expect(compressionPlan({ width: 1000, height: 3000, size: 5e6, type: 'image/png' })).toMatchObject({ width: 640, height: 1920, type: 'image/webp' });
    // Within bounds but heavy: re-encoded at the same size.
    expect(compressionPlan({ width: 1200, height: 800, size: 2e6, type: 'image/jpeg' })).toMatchObject({ width: 1200, height: 800 });
    expect(compressionPlan({ width: 800, height: 600, size: 90_000, type: 'image/jpeg' })).toBeNull();
    expect(compressionPlan({ width: 4000, height: 3000, size: 5e6, type: 'image/gif' })).toBeNull();
    expect(compressionPlan({ width: 4000, height: 3000, size: 5e6, type: 'image/jpeg' }, true)).toBeNull();
  });

  it('names, sizes and boxes', () => {
    expect(renamed('IMG_0001.HEIC', 'image/jpeg')).toBe('IMG_0001.jpg');
    expect(renamed('shot.png', 'image/webp')).toBe('shot.webp');
    expect(bubbleSize(4000, 1000)).toEqual({ width: 240, height: 60 });
    expect(bubbleSize(100, 50)).toEqual({ width: 100, height: 60 });
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024 * 1024, 'en')).toBe('5 GB');
    expect(formatBytes(12, 'en')).toBe('12 B');
  });
});

describe('ImageViewerViewModel', () => {
  it('zooms within bounds, rotates by quarters and resets', () => {
    const vm = new ImageViewerViewModel(null, 'a.png', null, 'blob:x');
    expect(vm.getSnapshot().url).toBe('blob:x');
    for (let i = 0; i < 30; i += 1) vm.zoomBy(2);
    expect(vm.getSnapshot().zoom).toBe(MAX_ZOOM);
    vm.rotate();
    vm.rotate();
    vm.rotate();
    vm.rotate();
    vm.rotate();
    vm.move(10, -4);
    expect(vm.getSnapshot()).toMatchObject({ rotation: 90, offsetX: 10, offsetY: -4 });
    vm.reset();
    expect(vm.getSnapshot()).toMatchObject({ zoom: 1, rotation: 0, offsetX: 0, offsetY: 0 });
  });
});

describe('ChatViewModel attachments', () => {
  it('previews picked images and files, sends them in order after the text, and shows the upload', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const uploads: string[] = [];
    const uploader: Uploader = {
      upload: (_file, meta) => {
        uploads.push(meta.name);
        return new Promise(() => undefined);
      },
    };
    const images: ImagePreparer = {
      prepare: async (file, name, original) => ({ blob: original ? file : new Blob(['small']), width: 1920, height: 1080, name: `${name}!`, compressed: !original }),
    };
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader });
    await client.start();
    await settle();
    const store = new MemoryStore();
    const chat = new ChatViewModel(4, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store), Date.now, { images });
    chat.addFiles([
      { file: new Blob(['x'.repeat(3000)], { type: 'image/jpeg' }), name: 'cat.jpg' },
      { file: new Blob(['pdf'], { type: 'application/pdf' }), name: 'plan.pdf' },
    ]);
    expect(chat.getSnapshot().attachments.map((a) => [a.kind, a.ready])).toEqual([['image', false], ['file', true]]);
    await settle();
    expect(chat.getSnapshot().attachments[0]).toMatchObject({ ready: true, sizeText: '5 B' });
    chat.setDraft('look');
    expect(chat.send()).toBe(true);
    expect(chat.getSnapshot().attachments).toEqual([]);
    await settle();
    const bubbles = chat.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble');
    expect(bubbles.map((b) => b.media?.kind ?? b.text)).toEqual(['look', 'image', 'file']);
    expect(bubbles[1]?.media).toMatchObject({ kind: 'image', fileId: null, width: 1920, name: 'cat.jpg!' });
    expect(bubbles[2]?.upload).toMatchObject({ percent: 0, state: 'uploading' });
    expect(uploads).toEqual(['cat.jpg!', 'plan.pdf']);
    chat.dispose();
    client.stop();
  });
});

describe('ChatViewModel: files that expire', () => {
  it('lets a picked file be kept 1 to 7 days, uploads it so, and shows the expiry on its card', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const gone = server.append(4, '');
    Object.assign(gone, { type: 'file', body: { file_id: 'f0', name: 'old.zip', size: 10, expires_at: 1 } });
    const later = server.append(4, '');
    const at = Date.now() + 86_400_000;
    Object.assign(later, { type: 'file', body: { file_id: 'f1', name: 'plan.pdf', size: 10, expires_at: at } });
    const kept = server.append(4, '');
    Object.assign(kept, { type: 'file', body: { file_id: 'f2', name: 'kept.txt', size: 10 } });
    const metas: unknown[] = [];
    const uploader: Uploader = {
      upload: (_file, meta) => {
        metas.push(meta);
        return new Promise(() => undefined);
      },
    };
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader });
    await client.start();
    await settle();
    const store = new MemoryStore();
    const chat = new ChatViewModel(4, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store), Date.now, {});
    await settle();
    const files = () => chat.getSnapshot().items.filter((i): i is BubbleItem => i.kind === 'bubble').map((b) => b.media);
    expect(files().map((m) => m?.kind === 'file' && [m.name, m.expired, m.expiry])).toEqual([
      ['old.zip', true, null],
      ['plan.pdf', false, expect.stringMatching(/^Expires /)],
      ['kept.txt', false, null],
    ]);

    chat.addFiles([
      { file: new Blob(['a']), name: 'a.txt' },
      { file: new Blob(['b']), name: 'b.txt' },
    ]);
    const [a, b] = chat.getSnapshot().attachments;
    expect([a?.expiryDays, b?.expiryDays]).toEqual([null, null]);
    chat.setAttachmentExpiry(a?.id ?? '', 3);
    for (const bad of [0, 8, 2.5, -1]) chat.setAttachmentExpiry(b?.id ?? '', bad);
    chat.setAttachmentExpiry(b?.id ?? '', 1);
    chat.setAttachmentExpiry(b?.id ?? '', null);
    expect(chat.getSnapshot().attachments.map((x) => x.expiryDays)).toEqual([3, null]);
    expect(chat.send()).toBe(true);
    await settle();
    expect(metas).toEqual([
      { name: 'a.txt', type: 'application/octet-stream', expiryDays: 3 },
      { name: 'b.txt', type: 'application/octet-stream' },
    ]);
    const sending = files().slice(3);
    expect(sending.map((m) => m?.kind === 'file' && [m.name, m.expiry])).toEqual([
      ['a.txt', 'Kept 3 days'],
      ['b.txt', null],
    ]);
    // The SDK refuses what the server would.
    expect(() => client.sendFile(4, new Blob(['c']), { type: 'file', body: { name: 'c.txt', size: 1 } }, { expiryDays: 30 })).toThrow(/expiryDays/);
    chat.dispose();
    client.stop();
  });
});
