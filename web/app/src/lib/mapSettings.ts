/**
 * The server's map settings (`map.config`: tile URL, attribution, maximum zoom) as the views
 * read them. One server serves every account of this page, so one value serves them all;
 * null until the first chat asked the server.
 */
import type { MapConfig } from '@tidings/sdk';

let current: MapConfig | null = null;
const listeners = new Set<() => void>();

export const mapSettings = {
  get: (): MapConfig | null => current,
  set(config: MapConfig): void {
    if (current && current.tile_url === config.tile_url && current.attribution === config.attribution && current.max_zoom === config.max_zoom) return;
    current = config;
    for (const listener of [...listeners]) listener();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
