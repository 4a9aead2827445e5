import { Client, MemoryCache, type GroupInfo, type Uploader } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { translator } from '../i18n/i18n';
import { RecentEmoji } from '../lib/emoji';
import type { ImagePreparer } from '../lib/images';
import type { CapturedFrame, CaptureRequest, ScreenCapturer } from '../lib/screenCapture';
import { MemoryStore } from '../lib/storage';
import { ChatViewModel } from '../viewmodels/ChatViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { HIDE_SECONDS, ScreenshotViewModel } from '../viewmodels/ScreenshotViewModel';

const frame: CapturedFrame = { source: {} as CanvasImageSource, width: 2560, height: 1440 };

function fakeCapturer(surface = 'window', fail: Error | null = null) {
  const log: string[] = [];
  const requests: CaptureRequest[] = [];
  const capturer: ScreenCapturer = {
    supported: () => true,
    start: async (request) => {
      requests.push(request);
      if (fail) throw fail;
      log.push('start');
      return {
        surface,
        grab: async () => {
          log.push('grab');
          return frame;
        },
        stop: () => log.push('stop'),
      };
    },
  };
  return { capturer, log, requests };
}

function named(name: string): Error {
  const error = new Error(name);
  error.name = name;
  return error;
}

describe('ScreenshotViewModel', () => {
  const t = translator('en');

  it('takes one frame, stops the capture at once, and opens the editor', async () => {
    const { capturer, log, requests } = fakeCapturer();
    const waits: number[] = [];
    const vm = new ScreenshotViewModel(capturer, new MemoryStore(), null, () => t, async (ms) => void waits.push(ms));
    await vm.capture();
    expect(requests).toEqual([{ surface: 'any', hideApp: false }]);
    expect(log).toEqual(['start', 'grab', 'stop']);
    expect(waits.every((ms) => ms < 1000)).toBe(true);
    expect(vm.getSnapshot()).toMatchObject({ phase: 'editing', frame, notice: null });
    vm.cancel();
    expect(vm.getSnapshot()).toMatchObject({ phase: 'idle', frame: null });
  });

  it('hides the app: leaves this tab out, and counts down before taking a whole screen', async () => {
    const { capturer, requests } = fakeCapturer('monitor');
    const store = new MemoryStore();
    const phases: string[] = [];
    let vm: ScreenshotViewModel | null = null;
    vm = new ScreenshotViewModel(capturer, store, null, () => t, async () => {
      const s = vm!.getSnapshot();
      phases.push(`${s.phase}:${s.seconds}`);
    });
    vm.setHideApp(true);
    await vm.capture();
    expect(requests).toEqual([{ surface: 'any', hideApp: true }]);
    expect(phases).toEqual([...Array.from({ length: HIDE_SECONDS }, (_, i) => `countdown:${HIDE_SECONDS - i}`), 'grabbing:0']);
    // The choice is remembered on this device.
    expect(new ScreenshotViewModel(capturer, store, null, () => t).getSnapshot().hideApp).toBe(true);
  });

  it('says nothing when the picker is cancelled, and why when the capture fails', async () => {
    const cancelled = new ScreenshotViewModel(fakeCapturer('window', named('NotAllowedError')).capturer, new MemoryStore(), null, () => t);
    await cancelled.capture();
    expect(cancelled.getSnapshot()).toMatchObject({ phase: 'idle', notice: null });
    const broken = new ScreenshotViewModel(fakeCapturer('window', named('NotReadableError')).capturer, new MemoryStore(), null, () => t);
    await broken.capture();
    expect(broken.getSnapshot()).toMatchObject({ phase: 'idle', notice: 'The screen could not be captured.' });
    const none = new ScreenshotViewModel({ supported: () => false, start: () => Promise.reject(new Error('no')) }, new MemoryStore(), null, () => t);
    await none.capture();
    expect(none.getSnapshot()).toMatchObject({ supported: false, notice: 'This browser cannot capture the screen.' });
  });

  it('cancelling the countdown stops the capture and takes nothing', async () => {
    const { capturer, log } = fakeCapturer('monitor');
    let vm: ScreenshotViewModel | null = null;
    vm = new ScreenshotViewModel(capturer, new MemoryStore(), null, () => t, async () => vm!.cancel());
    vm.setHideApp(true);
    await vm.capture();
    expect(log).toEqual(['start', 'stop']);
    expect(vm.getSnapshot()).toMatchObject({ phase: 'idle', frame: null });
  });

  it('sends into the chat under a dated name, and closes once it is on its way', async () => {
    const sent: string[] = [];
    const target = { sendPicture: async (_: Blob, name: string) => (sent.push(name), true) };
    const vm = new ScreenshotViewModel(fakeCapturer().capturer, new MemoryStore(), target, () => translator('zh-CN'), async () => undefined, () => new Date(2026, 11, 5, 9, 3, 7));
    await vm.capture('this-tab');
    await vm.send(new Blob(['png']));
    expect(sent).toEqual(['截图2026-12-05 09.03.07.png']);
    expect(vm.getSnapshot().phase).toBe('idle');
  });

  it('keeps the editor open and says so when the chat takes nothing', async () => {
    const vm = new ScreenshotViewModel(fakeCapturer().capturer, new MemoryStore(), { sendPicture: async () => false }, () => t, async () => undefined);
    await vm.capture();
    await vm.send(new Blob(['png']));
    expect(vm.getSnapshot()).toMatchObject({ phase: 'editing', notice: 'This chat takes no messages from you now: save the picture instead.' });
  });
});

describe('ChatViewModel.sendPicture', () => {
  const settle = async () => {
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
  };

  async function chatWith(mutedUntil: number | null) {
    const server = new FakeServer();
    server.conversation(9, 'group');
    server.handlers.set('group.info', () => ({
      id: 9, number: 100009, name: 'Crew', member_count: 2, created_at: 0, avatar: '', intro: '', join_mode: 'open', mute_all: false,
      moderation: false, forbid_private_chat: false, size_limit: 10000, disbanded: false, role: 'member', powers: [], muted_until: mutedUntil, view_mode: 'all',
    }) as GroupInfo);
    const uploads: string[] = [];
    const uploader: Uploader = {
      upload: async (_file, meta) => {
        uploads.push(meta.name);
        return 'shot-1';
      },
    };
    const originals: boolean[] = [];
    const images: ImagePreparer = {
      prepare: async (file, name, original) => {
        originals.push(original);
        return { blob: file, width: 2560, height: 1440, name, compressed: false };
      },
    };
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader });
    await client.start();
    await settle();
    const store = new MemoryStore();
    const chat = new ChatViewModel(9, client, new NameBook(client), new PreferencesViewModel(store, ['en']), new RecentEmoji(store), () => 1_700_000_000_000, { images });
    await settle();
    return { server, client, chat, uploads, originals };
  }

  it('sends the picture as it is (never scaled down) as an image message', async () => {
    const { server, client, chat, uploads, originals } = await chatWith(null);
    expect(await chat.sendPicture(new Blob(['png'], { type: 'image/png' }), 'Screenshot.png')).toBe(true);
    await settle();
    expect(originals).toEqual([true]);
    expect(uploads).toEqual(['Screenshot.png']);
    const [send] = server.current.ops('send');
    expect(send?.data).toMatchObject({ conversation_id: 9, type: 'image', body: { file_id: 'shot-1', width: 2560, height: 1440, name: 'Screenshot.png' } });
    chat.dispose();
    client.stop();
  });

  it('refuses while I am muted, so the editor stays open with the picture', async () => {
    const { server, client, chat, originals } = await chatWith(1_700_000_000_000 + 60_000);
    expect(await chat.sendPicture(new Blob(['png'], { type: 'image/png' }), 'Screenshot.png')).toBe(false);
    await settle();
    expect(originals).toEqual([]);
    expect(server.current.ops('send')).toEqual([]);
    chat.dispose();
    client.stop();
  });
});
