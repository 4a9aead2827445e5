import { Client, MemoryCache, type SiteSettings, type SiteSettingsSnapshot } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { translator } from '../i18n/i18n';
import { MemoryStore } from '../lib/storage';
import { plusEntryShown } from '../views/PlusPanel';
import { applyBrandColour, SiteSettingsViewModel } from '../viewmodels/SiteSettingsViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

function settings(change: { modules?: Partial<SiteSettings['modules']>; buttons?: Partial<SiteSettings['buttons']>; branding?: Partial<SiteSettings['branding']> } = {}): SiteSettings {
  const on = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, true])) as Record<K, boolean>;
  return {
    modules: { ...on(['file_sending', 'image_sending', 'voice_messages', 'video_messages', 'location', 'stickers', 'contact_cards', 'recall', 'burn_after_reading', 'favorites', 'group_creation_by_members', 'friend_requests', 'voice_calls', 'video_calls'] as const), ...change.modules },
    buttons: { ...on(['plus_media', 'plus_file', 'plus_screenshot', 'plus_voice', 'plus_location', 'plus_contact', 'plus_sticker', 'contacts_add_friend', 'contacts_new_group', 'contacts_organization', 'me_favorites'] as const), ...change.buttons },
    limits: { recall_window_seconds: 120, group_size_limit: 10_000, max_file_bytes: 1 << 30 },
    branding: { product_name: 'Tidings', logo: '', brand_colour: '#2f6fed', sign_in_text: '', sign_in_background: '', ...change.branding },
    cors: { allowed_origins: [] },
  };
}

describe('site settings in the web client', () => {
  it('reads them before sign-in, keeps them for the next start and follows pushes, never going back', async () => {
    const store = new MemoryStore();
    const first: SiteSettingsSnapshot = { version: 3, settings: settings({ branding: { product_name: 'Acme Chat' } }) };
    const site = new SiteSettingsViewModel(store, async () => first, null);
    expect(site.getSnapshot()).toBeNull();
    await site.refresh();
    expect(site.getSnapshot()?.version).toBe(3);
    expect(translator('en')('app.name')).toBe('Acme Chat');
    // The next start paints with what was read last.
    expect(new SiteSettingsViewModel(store, () => Promise.reject(new Error('offline')), null).getSnapshot()?.version).toBe(3);

    const server = new FakeServer();
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    const detach = site.attach(client);
    await client.start();
    await settle();
    const connection = server.connections[server.connections.length - 1];
    connection?.push('site_settings_changed', { version: 5, settings: settings({ modules: { recall: false } }) });
    expect(site.getSnapshot()?.settings.modules.recall).toBe(false);
    // An older document (a late answer) does not undo a newer one.
    connection?.push('site_settings_changed', { version: 4, settings: settings() });
    expect(site.getSnapshot()?.version).toBe(5);
    expect(translator('en')('app.name')).toBe('Tidings');
    detach();
    client.stop();
  });

  it('hides a "+" entry when its button or its module is off', () => {
    expect(plusEntryShown(null, 'file')).toBe(true);
    expect(plusEntryShown(settings(), 'location')).toBe(true);
    expect(plusEntryShown(settings({ modules: { location: false } }), 'location')).toBe(false);
    expect(plusEntryShown(settings({ buttons: { plus_location: false } }), 'location')).toBe(false);
    expect(plusEntryShown(settings({ modules: { image_sending: false } }), 'media')).toBe(true);
    expect(plusEntryShown(settings({ modules: { image_sending: false, video_messages: false } }), 'media')).toBe(false);
  });

  it('turns the brand colour into the accent variables, and back', () => {
    const values = new Map<string, string>();
    const root = { style: { setProperty: (k: string, v: string) => values.set(k, v), removeProperty: (k: string) => (values.delete(k), '') } } as unknown as Pick<HTMLElement, 'style'>;
    applyBrandColour('#0a7d52', root);
    expect(values.get('--accent')).toBe('#0a7d52');
    expect(values.get('--accent-hover')).toContain('#0a7d52');
    applyBrandColour(null, root);
    expect(values.size).toBe(0);
  });
});
