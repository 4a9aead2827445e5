/**
 * The image viewer with its actions (PRODUCT.md I7), in the main window over the chat or in a
 * window of its own: zoom, rotate, reset and download (ImageViewerViewModel), forward the
 * message through the forward dialog, and edit — turn and crop — then send the result as a
 * new image through the app's one image-send path.
 */
import { errorCode, type Client, type ConversationId, type Seq } from '@tidings/sdk';
import { errorMessage } from '../i18n/i18n';
import type { ImagePreparer } from '../lib/images';
import type { FileLinks } from './FileLinks';
import { ForwardViewModel } from './ForwardViewModel';
import { sendPreparedImage } from './ImageSending';
import { ImageViewerViewModel } from './ImageViewerViewModel';
import type { PreferencesViewModel } from './PreferencesViewModel';
import { ViewModel } from './ViewModel';

/** Which image, and the message it came in (to forward it, and to send an edit next to it). */
export interface ImageSource {
  fileId: string | null;
  name: string;
  /** The picture on this device while it is still sending. */
  localUrl?: string | null;
  conversationId: ConversationId | null;
  seq: Seq | null;
}

export interface ImageWindowSnapshot {
  /** Editing opens the image editor (loaded on demand, views/ImageEditorDialog.tsx). */
  mode: 'view' | 'edit';
  forward: ForwardViewModel | null;
  canForward: boolean;
  canEdit: boolean;
  /** An edited image is being prepared or sent. */
  sending: boolean;
  /** A translated line to show for a moment (sent, failed). */
  notice: string | null;
}

export class ImageWindowViewModel extends ViewModel<ImageWindowSnapshot> {
  readonly viewer: ImageViewerViewModel;
  /** The client_msg_id of the edited image on its way, to say when it arrived. */
  private waitingFor: string | null = null;

  constructor(
    private readonly client: Client,
    private readonly preferences: PreferencesViewModel,
    readonly source: ImageSource,
    links: FileLinks | null,
    /** Measures (and compresses) the edited picture, as for any image sent; none: no editing. */
    private readonly images: ImagePreparer | null,
  ) {
    super({ mode: 'view', forward: null, canForward: false, canEdit: false, sending: false, notice: null });
    this.viewer = new ImageViewerViewModel(source.fileId, source.name, links, source.localUrl ?? null);
    this.track(() => this.viewer.dispose());
    this.track(() => this.getSnapshot().forward?.dispose());
    this.track(this.viewer.subscribe(() => this.refresh()));
    this.track(client.on('conversations', () => this.refresh()));
    // A window of its own may open before its connection is up: ask for the link once it is.
    this.track(
      client.on('state', ({ state }) => {
        if (state === 'connected') this.viewer.retry();
      }),
    );
    this.track(
      client.on('timeline', ({ conversationId }) => {
        if (conversationId === source.conversationId) this.followSend();
      }),
    );
    this.refresh();
  }

  private get t() {
    return this.preferences.getSnapshot().t;
  }

  openForward(): void {
    const { conversationId, seq } = this.source;
    if (conversationId === null || seq === null) return;
    this.getSnapshot().forward?.dispose();
    this.update({ forward: new ForwardViewModel(this.client, this.preferences, conversationId, [seq], this.source.name || this.t('preview.image')) });
  }

  closeForward(): void {
    this.getSnapshot().forward?.dispose();
    this.update({ forward: null });
  }

  forwarded(count: number): void {
    this.closeForward();
    this.update({ notice: this.t('forward.done', { count }) });
  }

  startEdit(): void {
    if (!this.getSnapshot().canEdit) return;
    this.update({ mode: 'edit' });
  }

  cancelEdit(): void {
    this.update({ mode: 'view' });
  }

  /**
   * Send the edited picture (drawn by the editor at full size) as a new image in the
   * conversation the original came from, as it is (never scaled down); back to viewing while
   * it goes.
   */
  async sendEdited(picture: Blob): Promise<void> {
    const conversationId = this.source.conversationId;
    if (conversationId === null || !this.images || this.getSnapshot().sending) return;
    this.update({ sending: true, notice: this.t('viewer.sending') });
    try {
      const name = editedName(this.source.name, picture.type);
      const prepared = await this.images.prepare(picture, name, true);
      const message = sendPreparedImage(this.client, conversationId, prepared);
      this.waitingFor = message.client_msg_id;
      this.cancelEdit();
      this.followSend();
    } catch (error) {
      this.update({ sending: false, notice: errorMessage(this.t, errorCode(error)) });
    }
  }

  showNotice(notice: string | null): void {
    this.update({ notice });
  }

  /** Say when the edited image has arrived (or why it did not). */
  private followSend(): void {
    const id = this.waitingFor;
    const conversationId = this.source.conversationId;
    if (id === null || conversationId === null) return;
    const timeline = this.client.timeline(conversationId);
    const pending = timeline.pending.find((m) => m.client_msg_id === id);
    if (pending?.state === 'failed') {
      this.waitingFor = null;
      this.update({ sending: false, notice: errorMessage(this.t, pending.error ?? pending.upload?.error ?? 'upload_failed') });
    } else if (!pending && timeline.entries.some((e) => e.client_msg_id === id)) {
      this.waitingFor = null;
      this.update({ sending: false, notice: this.t('viewer.sentEdited') });
    }
  }

  private refresh(): void {
    const { conversationId, seq } = this.source;
    const summary = conversationId === null ? undefined : this.client.conversation(conversationId);
    const viewer = this.viewer.getSnapshot();
    this.update({
      canForward: conversationId !== null && seq !== null,
      // An edit goes to the image's conversation: one I can write in, once the picture is here.
      canEdit: this.images !== null && summary !== undefined && summary.type !== 'system' && viewer.url !== null,
    });
  }
}

/** "hills.jpg" → "hills-edited.png" (the editor draws a PNG; the preparer may re-encode it). */
export function editedName(name: string, type: string): string {
  const base = (name || 'image').replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const extension = type === 'image/jpeg' ? 'jpg' : type === 'image/webp' ? 'webp' : 'png';
  return `${base}-edited.${extension}`;
}
