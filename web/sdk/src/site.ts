/**
 * Site settings (decision 0057): what an administrator switched for everyone — modules, the
 * client's entries, limits, the brand. Read before sign-in from the public endpoint; after
 * sign-in the client's `siteSettings` event brings every change.
 */
import { requestJson, type Fetch } from './http';
import type { SiteSettingsSnapshot } from './protocol';

/** `GET /api/v1/public/settings` (no sign-in). */
export function fetchSiteSettings(baseUrl: string, fetchImpl: Fetch = (...args) => fetch(...args)): Promise<SiteSettingsSnapshot> {
  return requestJson<SiteSettingsSnapshot>(fetchImpl, baseUrl, 'GET', '/api/v1/public/settings');
}

/** The address of the logo or the sign-in background (`file:<id>`), or null for none. */
export function brandingImageUrl(ref: string): string | null {
  const match = /^file:([A-Za-z0-9_-]{1,64})$/.exec(ref);
  return match ? `/api/v1/public/branding/${match[1]}` : null;
}
