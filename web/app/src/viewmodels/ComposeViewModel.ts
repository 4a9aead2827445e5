/**
 * The composer's "+" panel (PRODUCT.md D2, issue 12): sending voice, video, location,
 * contact-card and sticker messages into one conversation, my sticker collection, and the
 * server's map settings. The chat's view model owns one (ChatViewModel.compose).
 */
import { errorCode, type Client, type ConversationId, type MapConfig, type Sticker, type UserId } from '@tidings/sdk';
import { errorMessage, type Translate } from '../i18n/i18n';
import { mapSettings } from '../lib/mapSettings';
import type { Recording } from '../lib/voiceRecorder';
import type { NameBook } from './NameBook';
// The picker's code comes with the contact-card dialog that shows it (PlusDialogs).
import type { PeoplePickerViewModel } from './PeoplePickerViewModel';
import { ViewModel } from './ViewModel';

/** What the panel offers; another helper adds "screenshot" (the panel takes a list). */
export type PlusItem = 'media' | 'file' | 'voice' | 'location' | 'contact' | 'sticker';
export const PLUS_ITEMS: readonly PlusItem[] = ['media', 'file', 'voice', 'location', 'contact', 'sticker'];

export interface PlaceChoice {
  latitude: number;
  longitude: number;
  precise: boolean;
  name: string;
  address: string;
}

export interface ComposeSnapshot {
  /** Null until asked for (the sticker panel opened). */
  stickers: readonly Sticker[] | null;
  stickerMax: number;
  /** Null until asked for (the location picker opened). */
  map: MapConfig | null;
  /** A video being measured before it is sent. */
  preparingVideo: boolean;
}

/** A blurred place is rounded as the server rounds it (two decimals, about a kilometre). */
/** Shorter than this is taken for a slip of the finger and not sent (as lib/voiceRecorder says). */
const MIN_VOICE_MS = 500;
/** The voice body's limit (tidings.domain.bodies.VoiceBody). */
const MAX_VOICE_MS = 10 * 60 * 1000;

export function blurCoordinate(value: number): number {
  return Math.round(value * 100) / 100;
}

export function validPlace(latitude: number, longitude: number): boolean {
  return Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
}

/** The map settings are the server's: asked once per client. */
const mapConfigs = new WeakMap<Client, Promise<MapConfig>>();

export class ComposeViewModel extends ViewModel<ComposeSnapshot> {
  private picker: PeoplePickerViewModel | null = null;

  constructor(
    private readonly client: Client,
    private readonly conversationId: ConversationId,
    private readonly names: NameBook,
    private readonly t: () => Translate,
    private readonly toast: (text: string) => void,
    /** False while I may not post (muted, left): nothing is sent. */
    private readonly mayPost: () => boolean,
    /** Burn after reading (decision 0038): whether what is sent now burns; told once it went. */
    private readonly burning: { sendsBurning: boolean; sent(): void } = { sendsBurning: false, sent: () => {} },
  ) {
    super({ stickers: null, stickerMax: 300, map: null, preparingVideo: false });
    this.track(() => this.picker?.dispose());
  }

  /** `burn: true` on a voice or video sent while burning is on (then the one-off toggle resets). */
  private burnMark(): { burn?: true } {
    if (!this.burning.sendsBurning) return {};
    this.burning.sent();
    return { burn: true };
  }

  private fail(error: unknown): void {
    this.toast(errorMessage(this.t(), errorCode(error)));
  }

  /** A recorded voice message; too short a one is dropped with a word why. */
  sendVoice(recording: Recording): boolean {
    if (!this.mayPost()) return false;
    if (recording.durationMs < MIN_VOICE_MS || recording.blob.size === 0) {
      this.toast(this.t()('compose.voiceTooShort'));
      return false;
    }
    try {
      this.client.sendFile(this.conversationId, recording.blob, {
        type: 'voice',
        body: { duration_ms: recording.durationMs, ...(recording.waveform.length > 0 ? { waveform: recording.waveform } : {}), ...this.burnMark() },
      });
      // Stopped by the ten-minute limit rather than by the user: say why it went.
      if (recording.durationMs >= MAX_VOICE_MS - 100) this.toast(this.t()('compose.voiceLimit'));
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  /** A picked video: measured, a still grabbed, then sent; one the browser cannot read goes as a file. */
  async sendVideo(file: Blob, name: string): Promise<void> {
    if (!this.mayPost()) return;
    this.update({ preparingVideo: true });
    try {
      const { readVideo } = await import('../lib/videoPoster');
      const facts = await readVideo(file);
      if (!facts) {
        this.client.sendFile(this.conversationId, file, { type: 'file', body: { name, size: file.size, mime: file.type || 'application/octet-stream' } });
        return;
      }
      this.client.sendFile(
        this.conversationId,
        file,
        { type: 'video', body: { duration_ms: facts.durationMs, width: facts.width, height: facts.height, ...this.burnMark() } },
        { poster: facts.poster },
      );
    } catch (error) {
      this.fail(error);
    } finally {
      this.update({ preparingVideo: false });
    }
  }

  sendLocation(place: PlaceChoice): boolean {
    if (!this.mayPost() || !validPlace(place.latitude, place.longitude)) return false;
    const latitude = place.precise ? place.latitude : blurCoordinate(place.latitude);
    const longitude = place.precise ? place.longitude : blurCoordinate(place.longitude);
    const name = place.name.trim().slice(0, 200);
    const address = place.address.trim().slice(0, 500);
    this.client.send(this.conversationId, 'location', {
      latitude,
      longitude,
      precision: place.precise ? 'precise' : 'blurred',
      ...(name ? { name } : {}),
      ...(address ? { address } : {}),
    });
    return true;
  }

  /** The people picker of the contact-card dialog (reused from new chats and invites). */
  contactPicker(Picker: typeof PeoplePickerViewModel): PeoplePickerViewModel {
    this.picker?.dispose();
    this.picker = new Picker(this.client, this.names);
    return this.picker;
  }

  sendContacts(userIds: readonly UserId[]): void {
    if (!this.mayPost()) return;
    for (const userId of userIds) this.client.send(this.conversationId, 'contact_card', { user_id: userId });
  }

  async loadStickers(): Promise<void> {
    try {
      const reply = await this.client.request('stickers.list', {});
      this.update({ stickers: reply.stickers, stickerMax: reply.max });
    } catch (error) {
      if (this.getSnapshot().stickers === null) this.update({ stickers: [] });
      this.fail(error);
    }
  }

  sendSticker(sticker: Sticker): void {
    if (!this.mayPost()) return;
    this.client.send(this.conversationId, 'sticker', {
      file_id: sticker.file_id,
      width: sticker.width,
      height: sticker.height,
      ...(sticker.emoji ? { emoji: sticker.emoji } : {}),
    });
  }

  /** "Save as sticker" on an image or sticker in the chat. */
  async saveSticker(fileId: string): Promise<void> {
    try {
      const saved = await this.client.request('stickers.add', { file_id: fileId });
      const others = (this.getSnapshot().stickers ?? []).filter((s) => s.file_id !== saved.file_id);
      this.update({ stickers: [saved, ...others] });
      this.toast(this.t()('compose.stickerSaved'));
    } catch (error) {
      this.fail(error);
    }
  }

  async removeSticker(fileId: string): Promise<void> {
    try {
      await this.client.request('stickers.remove', { file_id: fileId });
      this.update({ stickers: (this.getSnapshot().stickers ?? []).filter((s) => s.file_id !== fileId) });
    } catch (error) {
      this.fail(error);
    }
  }

  async loadMap(): Promise<MapConfig> {
    let config = mapConfigs.get(this.client);
    if (!config) {
      config = this.client.request('map.config', {});
      mapConfigs.set(this.client, config);
      config.catch(() => mapConfigs.delete(this.client));
    }
    try {
      const map = await config;
      mapSettings.set(map);
      this.update({ map });
      return map;
    } catch {
      const none = { tile_url: null, attribution: null, max_zoom: 19 };
      this.update({ map: none });
      return none;
    }
  }
}
