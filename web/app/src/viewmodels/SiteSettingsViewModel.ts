/**
 * Site settings (decision 0057): what the server's administrators switched for everyone —
 * modules, the client's entries, limits, the brand. Read from the public endpoint before
 * sign-in (kept in localStorage for the next first paint), then kept fresh by the client's
 * `siteSettings` push and read again after every reconnect (a change made while offline).
 * The brand applies to the whole document at once: the accent colour's CSS variables, and the
 * product name wherever the app says its own name.
 */
import { fetchSiteSettings, type Client, type SiteButton, type SiteModule, type SiteSettings, type SiteSettingsSnapshot } from '@tidings/sdk';
import { createContext, useContext } from 'react';
import { setProductName } from '../i18n/i18n';
import { applyBrandColour } from '../lib/brand';
import { readJson, type KeyValueStore } from '../lib/storage';
import { ViewModel } from './ViewModel';

export { applyBrandColour };

const KEY = 'tidings.site';

export class SiteSettingsViewModel extends ViewModel<SiteSettingsSnapshot | null> {
  constructor(
    private readonly store: KeyValueStore,
    private readonly load: () => Promise<SiteSettingsSnapshot> = () => fetchSiteSettings(window.location.origin),
    /** Where the brand colour's CSS variables go (null: nowhere, as in unit tests). */
    private readonly root: HTMLElement | null = typeof document === 'undefined' ? null : document.documentElement,
  ) {
    super(readJson<SiteSettingsSnapshot>(store, KEY));
    this.apply();
  }

  /** Read the public settings (before sign-in, and after each reconnect). */
  async refresh(): Promise<void> {
    try {
      this.accept(await this.load());
    } catch {
      // Offline or the server is away: what we had stands; the next connect asks again.
    }
  }

  /** Follow a signed-in client's pushes; returns the unsubscriber. */
  attach(client: Client): () => void {
    const offPush = client.on('siteSettings', (snapshot) => this.accept(snapshot));
    const offConnected = client.on('connected', () => void this.refresh());
    return () => {
      offPush();
      offConnected();
    };
  }

  private accept(snapshot: SiteSettingsSnapshot): void {
    const current = this.getSnapshot();
    if (current && current.version > snapshot.version) return;
    this.store.set(KEY, JSON.stringify(snapshot));
    this.setSnapshot(snapshot);
    this.apply();
  }

  private apply(): void {
    const branding = this.getSnapshot()?.settings.branding;
    setProductName(branding?.product_name ?? null);
    if (this.root) applyBrandColour(branding?.brand_colour ?? null, this.root);
  }
}

/** The settings in force for the views under `<SiteContext.Provider>` (null: not read yet). */
export const SiteContext = createContext<SiteSettings | null>(null);

/** Whether a module is on (everything is on until the settings are read). */
export function useModule(module: SiteModule): boolean {
  return useContext(SiteContext)?.modules[module] ?? true;
}

/** Whether the client shows an entry (a module turned off hides its entries too). */
export function useButton(button: SiteButton, module?: SiteModule): boolean {
  const site = useContext(SiteContext);
  return (site?.buttons[button] ?? true) && (module === undefined || (site?.modules[module] ?? true));
}
