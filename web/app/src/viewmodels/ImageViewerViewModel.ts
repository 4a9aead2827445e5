/** The image viewer (I7): zoom, rotate, move, reset, download; the full image by signed link. */
import type { FileLinks } from './FileLinks';
import { ViewModel } from './ViewModel';

export interface ImageViewerSnapshot {
  /** The full image's URL once known (or the local copy of an image still sending). */
  url: string | null;
  /** The image cannot be shown (expired, no longer visible to me): an error code. */
  error: string | null;
  name: string;
  zoom: number;
  /** Degrees clockwise: 0, 90, 180 or 270. */
  rotation: number;
  offsetX: number;
  offsetY: number;
}

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 8;

export class ImageViewerViewModel extends ViewModel<ImageViewerSnapshot> {
  constructor(
    readonly fileId: string | null,
    name: string,
    private readonly links: FileLinks | null,
    localUrl: string | null = null,
  ) {
    super({ url: localUrl, error: null, name, zoom: 1, rotation: 0, offsetX: 0, offsetY: 0 });
    if (fileId && links) {
      this.track(links.onChange(() => this.resolve()));
      this.resolve();
    }
  }

  /** Zoom by a factor, about the centre. */
  zoomBy(factor: number): void {
    const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.getSnapshot().zoom * factor));
    this.update({ zoom: Math.round(zoom * 1000) / 1000 });
  }

  rotate(): void {
    this.update({ rotation: (this.getSnapshot().rotation + 90) % 360 });
  }

  move(dx: number, dy: number): void {
    const { offsetX, offsetY } = this.getSnapshot();
    this.update({ offsetX: offsetX + dx, offsetY: offsetY + dy });
  }

  reset(): void {
    this.update({ zoom: 1, rotation: 0, offsetX: 0, offsetY: 0 });
  }

  /** Ask for the link again (the connection came back). */
  retry(): void {
    this.resolve();
  }

  private resolve(): void {
    if (!this.fileId || !this.links) return;
    const link = this.links.get(this.fileId, 'original');
    if (link && 'url' in link) this.update({ url: link.url, error: null });
    else if (link && 'error' in link) this.update({ error: link.error });
  }
}
