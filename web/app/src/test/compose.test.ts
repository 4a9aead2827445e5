import { Client, MemoryCache } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import type { Translate } from '../i18n/i18n';
import { describeMessage } from '../lib/format';
import { posterSize } from '../lib/videoPoster';
import { recordingMime, summarizeWaveform } from '../lib/voiceRecorder';
import { blurCoordinate, ComposeViewModel, validPlace } from '../viewmodels/ComposeViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { voiceBars } from '../views/RichMedia';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

// The words as keys with their values: enough to see what a preview is made of.
const t = ((key: string, values?: Record<string, unknown>) => (values ? `${key} ${JSON.stringify(values)}` : key)) as Translate;

describe('voice waveforms', () => {
  it('squeezes levels into bars with the loudest at 100', () => {
    expect(summarizeWaveform([])).toEqual([]);
    expect(summarizeWaveform([0.1, 0.2, 0.4], 48)).toEqual([25, 50, 100]);
    const long = Array.from({ length: 1000 }, (_, i) => (i % 100) / 100);
    const bars = summarizeWaveform(long, 48);
    expect(bars).toHaveLength(48);
    expect(Math.max(...bars)).toBe(100);
    expect(bars.every((v) => Number.isInteger(v) && v >= 0 && v <= 100)).toBe(true);
    expect(summarizeWaveform([0, 0, 0])).toEqual([0, 0, 0]);
  });

  it('draws a flat line without a waveform and stretches a short one', () => {
    expect(new Set(voiceBars(null, 10))).toEqual(new Set([18]));
    const bars = voiceBars([0, 100], 4);
    expect(bars).toEqual([12, 12, 100, 100]);
  });

  it('records WebM/Opus where it can, else what the browser has', () => {
    expect(recordingMime(() => true)).toBe('audio/webm;codecs=opus');
    expect(recordingMime((m) => m === 'audio/mp4')).toBe('audio/mp4');
    expect(recordingMime(() => false)).toBe('');
  });
});

describe('previews of the "+" panel types', () => {
  it('says how long a voice or video lasts and where a place is', () => {
    expect(describeMessage({ type: 'voice', body: { file_id: 'v', duration_ms: 7_400 } }, t)).toBe('preview.voiceLength {"duration":"0:07"}');
    expect(describeMessage({ type: 'video', body: { file_id: 'v', duration_ms: 65_000, width: 1, height: 1 } }, t)).toBe('preview.videoLength {"duration":"1:05"}');
    expect(describeMessage({ type: 'location', body: { latitude: 1, longitude: 2, address: '88  Binjiang\nAve' } }, t)).toBe('preview.locationAt {"place":"88 Binjiang Ave"}');
    expect(describeMessage({ type: 'location', body: { latitude: 1, longitude: 2, name: 'Hall', address: 'x' } }, t)).toBe('preview.locationAt {"place":"Hall"}');
    expect(describeMessage({ type: 'location', body: { latitude: 1, longitude: 2 } }, t)).toBe('preview.location');
    expect(describeMessage({ type: 'sticker', body: { file_id: 's', width: 1, height: 1 } }, t)).toBe('preview.sticker');
    expect(describeMessage({ type: 'sticker', body: { file_id: 's', width: 1, height: 1, emoji: '😄' } }, t)).toBe('preview.stickerEmoji {"emoji":"😄"}');
  });
});

describe('places and posters', () => {
  it('blurs as the server does and refuses impossible coordinates', () => {
    expect(blurCoordinate(31.239712)).toBe(31.24);
    expect(blurCoordinate(-121.4951)).toBe(-121.5);
    expect(validPlace(90, -180)).toBe(true);
    expect(validPlace(90.1, 0)).toBe(false);
    expect(validPlace(Number.NaN, 0)).toBe(false);
  });

  it('keeps a poster within 640 pixels, in proportion', () => {
    expect(posterSize(1920, 1080)).toEqual({ width: 640, height: 360 });
    expect(posterSize(320, 240)).toEqual({ width: 320, height: 240 });
  });
});

describe('ComposeViewModel', () => {
  async function composer(mayPost = true) {
    const server = new FakeServer();
    server.conversation(4);
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await settle();
    const toasts: string[] = [];
    const vm = new ComposeViewModel(client, 4, new NameBook(client), () => t, (text) => toasts.push(text), () => mayPost);
    const sent = () => server.connections.flatMap((c) => c.ops('send')).map((f) => f.data as { type: string; body: Record<string, unknown> });
    return { vm, sent, toasts, server };
  }

  it('sends a blurred place rounded, with its address, and a precise one as picked', async () => {
    const { vm, sent } = await composer();
    expect(vm.sendLocation({ latitude: 31.239712, longitude: 121.499815, precise: false, name: ' ', address: ' 88 Binjiang Ave ' })).toBe(true);
    expect(vm.sendLocation({ latitude: 31.239712, longitude: 121.499815, precise: true, name: 'Hall', address: '' })).toBe(true);
    expect(vm.sendLocation({ latitude: 91, longitude: 0, precise: true, name: '', address: '' })).toBe(false);
    await settle();
    expect(sent().map((s) => [s.type, s.body])).toEqual([
      ['location', { latitude: 31.24, longitude: 121.5, precision: 'blurred', address: '88 Binjiang Ave' }],
      ['location', { latitude: 31.239712, longitude: 121.499815, precision: 'precise', name: 'Hall' }],
    ]);
  });

  it('sends contact cards and stickers, nothing while I may not post', async () => {
    const { vm, sent } = await composer();
    vm.sendContacts([7, 8]);
    vm.sendSticker({ file_id: 'f1', width: 100, height: 80, mime: 'image/png', animated: false, emoji: '😄', added_at: 1, expired: false });
    await settle();
    expect(sent().map((s) => [s.type, s.body])).toEqual([
      ['contact_card', { user_id: 7 }],
      ['contact_card', { user_id: 8 }],
      ['sticker', { file_id: 'f1', width: 100, height: 80, emoji: '😄' }],
    ]);
    const muted = await composer(false);
    muted.vm.sendContacts([7]);
    expect(muted.vm.sendLocation({ latitude: 1, longitude: 1, precise: true, name: '', address: '' })).toBe(false);
    await settle();
    expect(muted.sent()).toEqual([]);
  });

  it('drops a voice message too short to be meant', async () => {
    const { vm, toasts } = await composer();
    expect(vm.sendVoice({ blob: new Blob(['x']), mime: 'audio/webm', durationMs: 200, waveform: [] })).toBe(false);
    expect(toasts).toEqual(['compose.voiceTooShort']);
  });

  it('says why a voice message went at the ten-minute limit', async () => {
    const server = new FakeServer();
    server.conversation(4);
    const uploads: { type: string; durationMs?: number }[] = [];
    const uploader = {
      upload: async (_file: Blob, meta: { type: string; durationMs?: number }) => {
        uploads.push(meta);
        return 'voice-file';
      },
    };
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache(), uploader });
    await client.start();
    await settle();
    const toasts: string[] = [];
    const vm = new ComposeViewModel(client, 4, new NameBook(client), () => t, (text) => toasts.push(text), () => true);
    expect(vm.sendVoice({ blob: new Blob(['x'], { type: 'audio/webm' }), mime: 'audio/webm', durationMs: 600_000, waveform: [5, 100] })).toBe(true);
    await settle();
    expect(toasts).toEqual(['compose.voiceLimit']);
    // The upload tells the server what it records of the media; the message carries the waveform.
    expect(uploads).toEqual([{ name: 'voice', type: 'audio/webm', durationMs: 600_000 }]);
    const sent = server.connections.flatMap((c) => c.ops('send')).map((f) => f.data as { type: string; body: Record<string, unknown> });
    expect(sent.map((s) => [s.type, s.body])).toEqual([['voice', { duration_ms: 600_000, waveform: [5, 100], file_id: 'voice-file' }]]);
  });
});
