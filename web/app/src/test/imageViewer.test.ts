import { Client, MemoryCache, type Uploader } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import type { ImagePreparer } from '../lib/images';
import { MemoryStore } from '../lib/storage';
import { imageWindowTarget, imageWindowUrl } from '../lib/windows';
import { FileLinks } from '../viewmodels/FileLinks';
import { ImageEditorViewModel } from '../viewmodels/ImageEditorViewModel';
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

describe('ImageEditorViewModel', () => {
  it('turns by quarters, crops, and plans the full-size picture', () => {
    const editor = new ImageEditorViewModel();
    expect(editor.getSnapshot()).toEqual({ rotation: 0, crop: null, edited: false });
    expect(editor.plan(800, 400)).toEqual({ rotation: 0, rotatedWidth: 800, rotatedHeight: 400, sx: 0, sy: 0, width: 800, height: 400 });

    editor.select({ x: 0.9, y: 0.8 }, { x: 0.5, y: -0.2 });
    expect(editor.getSnapshot()).toEqual({ rotation: 0, crop: { x: 0.5, y: 0, width: 0.4, height: 0.8 }, edited: true });
    expect(editor.plan(800, 400)).toMatchObject({ sx: 400, sy: 0, width: 320, height: 320 });

    // A click is not a crop.
    editor.select({ x: 0.3, y: 0.3 }, { x: 0.305, y: 0.6 });
    expect(editor.getSnapshot().crop).toBeNull();

    // The selection turns with the picture: the right part of a wide picture is its bottom once turned right.
    editor.select({ x: 0.5, y: 0 }, { x: 1, y: 1 });
    editor.rotate(1);
    expect(editor.getSnapshot()).toMatchObject({ rotation: 90, crop: { x: 0, y: 0.5, width: 1, height: 0.5 } });
    expect(editor.plan(800, 400)).toEqual({ rotation: 90, rotatedWidth: 400, rotatedHeight: 800, sx: 0, sy: 400, width: 400, height: 400 });
    editor.rotate(-1);
    expect(editor.getSnapshot()).toMatchObject({ rotation: 0, crop: { x: 0.5, y: 0, width: 0.5, height: 1 } });
    editor.rotate(-1);
    expect(editor.getSnapshot().rotation).toBe(270);
    editor.reset();
    expect(editor.getSnapshot()).toEqual({ rotation: 0, crop: null, edited: false });
  });

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
    const images: ImagePreparer = { prepare: async (file, name) => ({ blob: file, width: 200, height: 800, name, compressed: false }) };
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader });
    await client.start();
    await settle();
    const preferences = new PreferencesViewModel(new MemoryStore(), ['en']);
    return { server, client, preferences, images, uploads };
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
    const { server, client, preferences, images, uploads } = await setUp();
    const vm = new ImageWindowViewModel(client, preferences, { fileId: 'f1', name: 'wide.jpg', conversationId: 4, seq: 3 }, new FileLinks(client), images);
    await settle();
    vm.startEdit();
    expect(vm.getSnapshot().mode).toBe('edit');
    vm.getSnapshot().editor?.rotate(1);
    await vm.sendEdited(new Blob(['png bytes'], { type: 'image/png' }));
    expect(vm.getSnapshot()).toMatchObject({ mode: 'view', editor: null, sending: true, notice: 'Sending…' });
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
