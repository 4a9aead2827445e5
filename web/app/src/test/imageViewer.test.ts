import { Client, MemoryCache, type Uploader } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import type { ImagePreparer } from '../lib/images';
import { MemoryStore } from '../lib/storage';
import { imageWindowTarget, imageWindowUrl } from '../lib/windows';
import { FileLinks } from '../viewmodels/FileLinks';
import { editedName, ImageWindowViewModel } from '../viewmodels/ImageWindowViewModel';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

describe('the image viewer window address', () => {
  it('round-trips the image and its message, and refuses anything else', () => {
    const target = { fileId: 'K5ht0g_GYy-StL', name: 'holiday photo.jpg', conversationId: 42, seq: 7 };
    expect(imageWindowTarget(new URL(imageWindowUrl(target), 'http://x').search)).toEqual(target);
    expect(imageWindowTarget(new URL(imageWindowUrl({ ...target, conversationId: null, seq: null }), 'http://x').search)).toEqual({ ...target, conversationId: null, seq: null });
    expect(imageWindowTarget('')).toBeNull();
    expect(imageWindowTarget('?chat=4')).toBeNull();
    expect(imageWindowTarget('?image=../../etc')).toBeNull();
    expect(imageWindowTarget('?image=abc&in=-1&seq=x')).toEqual({ fileId: 'abc', name: '', conversationId: null, seq: null });
  });
});

describe('editing from the viewer', () => {
  it('names the edited copy after the original', () => {
    expect(editedName('hills.jpg', 'image/png')).toBe('hills-edited.png');
    expect(editedName('', 'image/jpeg')).toBe('image-edited.jpg');
  });
});

describe('ImageWindowViewModel', () => {
  async function setUp() {
    const server = new FakeServer();
    server.conversation(4);
    server.conversation(5);
    server.handlers.set('files.link', (data) => ({ url: `/files/${String(data.file_id)}?sig=1`, expires_at: Date.now() + 3_600_000 }));
    const uploads: { name: string; size: number }[] = [];
    const uploader: Uploader = {
      upload: async (file, meta) => {
        uploads.push({ name: meta.name, size: file.size });
        return 'edited-1';
      },
    };
    const originals: boolean[] = [];
    const images: ImagePreparer = {
      prepare: async (file, name, original) => {
        originals.push(original);
        return { blob: file, width: 200, height: 800, name, compressed: false };
      },
    };
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader });
    await client.start();
    await settle();
    const preferences = new PreferencesViewModel(new MemoryStore(), ['en']);
    return { server, client, preferences, images, uploads, originals };
  }

  it('forwards the image message through the forward dialog', async () => {
    const { server, client, preferences, images } = await setUp();
    const vm = new ImageWindowViewModel(client, preferences, { fileId: 'f1', name: 'wide.jpg', conversationId: 4, seq: 3 }, new FileLinks(client), images);
    await settle();
    expect(vm.viewer.getSnapshot().url).toBe('/files/f1?sig=1');
    expect(vm.getSnapshot()).toMatchObject({ canForward: true, canEdit: true, mode: 'view' });
    vm.openForward();
    const forward = vm.getSnapshot().forward;
    expect(forward?.getSnapshot().preview).toBe('wide.jpg');
    forward?.toggle('c5');
    await forward?.send();
    expect(server.current.ops('forward')[0]?.data).toMatchObject({ conversation_id: 4, seqs: [3], target_ids: [5] });
    vm.forwarded(1);
    expect(vm.getSnapshot()).toMatchObject({ forward: null, notice: 'Forwarded to 1 chats' });
    vm.dispose();
    client.stop();
  });

  it('sends an edited copy as a new image in the same conversation, and says when it arrived', async () => {
    const { server, client, preferences, images, uploads, originals } = await setUp();
    const vm = new ImageWindowViewModel(client, preferences, { fileId: 'f1', name: 'wide.jpg', conversationId: 4, seq: 3 }, new FileLinks(client), images);
    await settle();
    vm.startEdit();
    expect(vm.getSnapshot().mode).toBe('edit');
    await vm.sendEdited(new Blob(['png bytes'], { type: 'image/png' }));
    expect(vm.getSnapshot()).toMatchObject({ mode: 'view', sending: true, notice: 'Sending…' });
    // Full resolution: the edited picture is sent as it is, not scaled down.
    expect(originals).toEqual([true]);
    await settle();
    expect(uploads).toEqual([{ name: 'wide-edited.png', size: 9 }]);
    const [send] = server.current.ops('send');
    expect(send?.data).toMatchObject({ conversation_id: 4, type: 'image', body: { file_id: 'edited-1', width: 200, height: 800, name: 'wide-edited.png' } });
    expect(vm.getSnapshot()).toMatchObject({ sending: false, notice: 'The edited image was sent' });
    vm.dispose();
    client.stop();
  });

  it('offers no forward or edit without a message, a preparer, or in system notices', async () => {
    const { client, preferences, images } = await setUp();
    const loose = new ImageWindowViewModel(client, preferences, { fileId: 'f1', name: '', conversationId: null, seq: null }, new FileLinks(client), images);
    await settle();
    expect(loose.getSnapshot()).toMatchObject({ canForward: false, canEdit: false });
    loose.openForward();
    loose.startEdit();
    expect(loose.getSnapshot()).toMatchObject({ forward: null, mode: 'view' });
    const noPreparer = new ImageWindowViewModel(client, preferences, { fileId: 'f1', name: '', conversationId: 4, seq: 3 }, new FileLinks(client), null);
    await settle();
    expect(noPreparer.getSnapshot()).toMatchObject({ canForward: true, canEdit: false });
    loose.dispose();
    noPreparer.dispose();
    client.stop();
  });
});
