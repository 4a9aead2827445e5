import { useEffect, useState } from 'react';
import type { Translate } from '../i18n/i18n';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import { Avatar } from './Avatar';

/**
 * What the current API offers of contacts: the groups and the people from this user's chats.
 * Friends, contact groups and the organization tree arrive with the contacts API (issue 3).
 */
export function ContactsView({ workspace, t }: { workspace: WorkspaceViewModel; t: Translate }) {
  const list = useViewModel(workspace.list);
  const [, setRevision] = useState(0);
  useEffect(() => workspace.names.onChange(() => setRevision((r) => r + 1)), [workspace]);
  const groups = list.items.filter((item) => item.type === 'group');
  const people = workspace.names.known().sort((a, b) => a.name.localeCompare(b.name));
  const openPerson = async (id: number) => {
    const summary = await workspace.client.openDirect(id).catch(() => null);
    if (summary) workspace.select(summary.id);
  };
  return (
    <section className="contacts-pane" data-testid="contacts">
      <h2>{t('contacts.title')}</h2>
      <p className="muted">{t('contacts.comingSoon')}</p>
      <h3>{t('contacts.groups')}</h3>
      <ul className="pick-list">
        {groups.map((group) => (
          <li key={group.id}>
            <button className="pick-row" onClick={() => workspace.select(group.id)}>
              <Avatar id={group.avatarId} name={group.title} size={32} />
              <span>{group.title}</span>
            </button>
          </li>
        ))}
      </ul>
      <h3>{t('contacts.people')}</h3>
      <ul className="pick-list">
        {people.map((person) => (
          <li key={person.id}>
            <button className="pick-row" onClick={() => void openPerson(person.id)} title={t('contacts.sendMessage')}>
              <Avatar id={person.id} name={person.name} size={32} online={workspace.client.isOnline(person.id)} />
              <span>{person.name}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
