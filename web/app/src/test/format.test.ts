/** The words of entries the back office wrote (an admin in the console: no sender). */
import type { Entry } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { loadLocale, translator } from '../i18n/i18n';
import { describeEntry } from '../lib/format';

describe('an entry of the back office', () => {
  const names = { name: (id: number) => (id === 2 ? 'Bob' : `#${id}`) };
  const base = { id: 1, conversation_id: 5, seq: 1, client_msg_id: null, created_at: 0, reply_to_seq: null, recalled: false, type: null };

  it('names an administrator, never an empty name', async () => {
    const updated = { ...base, sender_id: null, kind: 'group_updated', body: { size_limit: 50 } } as unknown as Entry;
    const renamed = { ...base, sender_id: null, kind: 'group_updated', body: { name: 'Ops' } } as unknown as Entry;
    const en = translator('en');
    expect(describeEntry(updated, 1, names, en)).toBe(en('preview.groupUpdated', { name: 'An administrator' }));
    expect(describeEntry(renamed, 1, names, en)).toMatch(/^An administrator /);
    await loadLocale('zh-CN');
    const zh = translator('zh-CN');
    expect(describeEntry(updated, 1, names, zh)).toBe('管理员修改了群设置');
    // A member's own change still names them.
    expect(describeEntry({ ...updated, sender_id: 2 } as Entry, 1, names, en)).toMatch(/^Bob /);
  });
});
