import { useState, type DragEvent, type MouseEvent, type ReactNode } from 'react';
import { useButton } from '../viewmodels/SiteSettingsViewModel';
import { errorMessage, type Translate } from '../i18n/i18n';
import type { ContactPerson, ContactsViewModel } from '../viewmodels/ContactsViewModel';
import type { Crumb, OrgViewModel } from '../viewmodels/OrgViewModel';
import type { ProfileViewModel } from '../viewmodels/ProfileViewModel';
import { useViewModel } from '../viewmodels/useViewModel';
import type { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';
import { Avatar } from './Avatar';
import { longPress } from './longPress';
import { BlockedPane, FavoritesPane, ImportPane, InviteLinksPanel } from './ContactTools';
import { ProfileCard } from './Dialogs';
import { BackIcon, BuildingIcon, ChevronIcon, CloseIcon, FileIcon, FolderIcon, GroupIcon, PlusIcon, SearchIcon, UserPlusIcon } from './Icons';

type Menu = { x: number; y: number; kind: 'person' | 'group' | 'contactGroup'; id: number };

/** A contact being dragged onto a contact group (moves them there). */
const DRAG_TYPE = 'application/x-tidings-contact';

/**
 * Contacts (I2, C4): new friends, group chats, my contact groups and the organization on the
 * left; what is picked on the right. Right-click a person or a group for its actions.
 */
export function ContactsView({ vm, workspace, t }: { vm: ContactsViewModel; workspace: WorkspaceViewModel; t: Translate }) {
  const s = useViewModel(vm);
  const newGroupShown = useButton('contacts_new_group');
  const organizationShown = useButton('contacts_organization');
  const [menu, setMenu] = useState<Menu | null>(null);
  const [newGroup, setNewGroup] = useState<{ name: string; parentId: number | null } | null>(null);
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const [moving, setMoving] = useState<{ id: number; name: string } | null>(null);
  const [dropTarget, setDropTarget] = useState<number | null | undefined>(undefined);

  const openMenu = (event: MouseEvent, kind: Menu['kind'], id: number) => {
    event.preventDefault();
    setMenu({ x: Math.min(event.clientX, window.innerWidth - 220), y: Math.min(event.clientY, window.innerHeight - 160), kind, id });
  };
  const personRow = (person: ContactPerson, testId = 'contact') => (
    <li key={person.id}>
      <button
        className={`pick-row${s.selection?.kind === 'person' && s.selection.userId === person.id ? ' selected' : ''}`}
        onClick={() => void vm.select({ kind: 'person', userId: person.id })}
        onDoubleClick={() => void workspace.messagePerson(person.id)}
        onContextMenu={(e) => openMenu(e, 'person', person.id)}
        {...longPress((e) => openMenu(e, 'person', person.id))}
        draggable={testId === 'contact'}
        onDragStart={(e) => {
          e.dataTransfer.setData(DRAG_TYPE, String(person.id));
          e.dataTransfer.effectAllowed = 'move';
        }}
        data-testid={testId}
        data-name={person.name}
      >
        <Avatar id={person.id} name={person.name} size={34} online={person.online} user />
        <span className="pick-text">
          <span>{person.name}</span>
          {person.detail && <span className="muted small ellipsis">{person.detail}</span>}
        </span>
        {person.tags.length > 0 && (
          <span className="row-tags">
            {person.tags.slice(0, 2).map((tag) => <span key={tag} className="tag">{tag}</span>)}
          </span>
        )}
      </button>
    </li>
  );
  const groupDrop = (id: number | null) => ({
    onDragOver: (e: DragEvent) => {
      if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
      e.preventDefault();
      setDropTarget(id);
    },
    onDragLeave: () => setDropTarget(undefined),
    onDrop: (e: DragEvent) => {
      const userId = Number(e.dataTransfer.getData(DRAG_TYPE));
      setDropTarget(undefined);
      if (!userId) return;
      e.preventDefault();
      void vm.moveFriend(userId, id);
    },
  });
  const tool = (kind: 'blocked' | 'import' | 'invite' | 'favorites', label: string, icon: ReactNode, colour: string) => (
    <li>
      <button className={`pick-row${s.selection?.kind === kind ? ' selected' : ''}`} onClick={() => void vm.select({ kind })} data-testid={`contacts-${kind}`}>
        <span className={`entry-icon ${colour}`}>{icon}</span>
        <span className="pick-text">{label}</span>
      </button>
    </li>
  );
  const detailOpen = s.selection !== null;

  return (
    <section className={`contacts-pane${detailOpen ? ' detail-open' : ''}`} data-testid="contacts">
      <div className="contacts-list">
        <header className="list-header">
          <label className="search">
            <SearchIcon size={16} />
            <input placeholder={t('contacts.search')} value={s.query} onChange={(e) => vm.search(e.target.value)} aria-label={t('contacts.search')} data-testid="contacts-search" />
          </label>
          {newGroupShown && <button className="icon-button" onClick={() => setNewGroup({ name: '', parentId: null })} title={t('contacts.newGroup')} aria-label={t('contacts.newGroup')} data-testid="new-contact-group">
            <PlusIcon size={18} />
          </button>}
        </header>
        <div className="contacts-scroll">
          {s.search ? (
            <>
              {s.foundGroup && (
                <div className="found-group" data-testid="found-group" data-name={s.foundGroup.name}>
                  <Avatar id={s.foundGroup.id} name={s.foundGroup.name} size={36} kind="group" />
                  <span className="pick-text">
                    <strong>{s.foundGroup.name}</strong>
                    <span className="muted small">{t('group.number', { number: s.foundGroup.number })} · {t('group.memberCount', { count: s.foundGroup.memberCount })}</span>
                  </span>
                  {s.foundGroup.member ? (
                    <button className="small-button" onClick={() => s.foundGroup && workspace.select(s.foundGroup.id)}>{t('contacts.sendMessage')}</button>
                  ) : s.foundGroup.requested ? (
                    <span className="muted small">{t('contacts.waiting')}</span>
                  ) : (
                    <button className="small-button primary" disabled={s.busy} onClick={() => void vm.joinFoundGroup()} data-testid="join-group">
                      {s.foundGroup.joinMode === 'approval' ? t('contacts.requestJoin') : t('contacts.joinGroup')}
                    </button>
                  )}
                </div>
              )}
              <h3 className="contacts-heading">{t('contacts.friends')}</h3>
              <ul className="pick-list">{s.search.friends.map((p) => personRow(p, 'search-result'))}</ul>
              <h3 className="contacts-heading">{t('contacts.otherPeople')}</h3>
              <ul className="pick-list">
                {s.search.searching && <li className="empty small">{t('common.loading')}</li>}
                {!s.search.searching && s.search.others.length === 0 && s.search.friends.length === 0 && <li className="empty small">{t('people.nobodyFound')}</li>}
                {s.search.others.map((p) => personRow(p, 'search-result'))}
              </ul>
            </>
          ) : (
            <>
              <ul className="pick-list contacts-entries">
                <li>
                  <button className={`pick-row${s.selection?.kind === 'newFriends' ? ' selected' : ''}`} onClick={() => void vm.select({ kind: 'newFriends' })} data-testid="new-friends">
                    <span className="entry-icon orange"><UserPlusIcon size={18} /></span>
                    <span className="pick-text">{t('contacts.newFriends')}</span>
                    {s.pendingCount > 0 && <span className="badge inline" data-testid="new-friends-badge">{s.pendingCount}</span>}
                  </button>
                </li>
                <li>
                  <button className={`pick-row${s.selection?.kind === 'groups' ? ' selected' : ''}`} onClick={() => void vm.select({ kind: 'groups' })} data-testid="group-chats">
                    <span className="entry-icon green"><GroupIcon size={18} /></span>
                    <span className="pick-text">{t('contacts.groups')}</span>
                    <span className="muted small">{s.groups.length}</span>
                  </button>
                </li>
                {organizationShown && (
                  <li>
                    <button className={`pick-row${s.selection?.kind === 'org' ? ' selected' : ''}`} onClick={() => void vm.select({ kind: 'org' })} data-testid="organization">
                      <span className="entry-icon blue"><BuildingIcon size={18} /></span>
                      <span className="pick-text">{t('contacts.organization')}</span>
                    </button>
                  </li>
                )}
                {tool('invite', t('invite.myLink'), <UserPlusIcon size={18} />, 'green')}
                {tool('import', t('import.title'), <FileIcon size={18} />, 'blue')}
                {tool('favorites', t('favorites.title'), <FolderIcon size={18} />, 'orange')}
                {tool('blocked', t('blocked.title'), <CloseIcon size={18} />, 'grey')}
              </ul>
              {newGroup !== null && (
                <form
                  className="inline-form contact-group-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void vm.createGroup(newGroup.name, newGroup.parentId);
                    setNewGroup(null);
                  }}
                >
                  <input
                    autoFocus
                    value={newGroup.name}
                    onChange={(e) => setNewGroup({ ...newGroup, name: e.target.value })}
                    onKeyDown={(e) => e.key === 'Escape' && setNewGroup(null)}
                    placeholder={newGroup.parentId === null ? t('contacts.groupName') : t('contacts.subgroupIn', { name: s.friendGroups.find((g) => g.id === newGroup.parentId)?.name ?? '' })}
                    maxLength={64}
                    data-testid="contact-group-name"
                  />
                  <button type="submit" disabled={!newGroup.name.trim()}>{t('common.save')}</button>
                </form>
              )}
              {moving && (
                <form
                  className="inline-form contact-group-form"
                  onSubmit={(e) => e.preventDefault()}
                  data-testid="contact-group-move"
                >
                  <span className="small">{t('contacts.moveGroupTo', { name: moving.name })}</span>
                  <select
                    autoFocus
                    value=""
                    onChange={(e) => {
                      if (!e.target.value) return;
                      void vm.moveGroup(moving.id, e.target.value === 'top' ? null : Number(e.target.value));
                      setMoving(null);
                    }}
                    data-testid="contact-group-move-target"
                  >
                    <option value="">{t('contacts.pickParent')}</option>
                    <option value="top">{t('contacts.topLevel')}</option>
                    {vm.moveTargets(moving.id).map((g) => (
                      <option key={g.id} value={g.id}>{`${'\u00a0\u00a0'.repeat(g.depth)}${g.name}`}</option>
                    ))}
                  </select>
                  <button type="button" onClick={() => setMoving(null)}>{t('forward.cancel')}</button>
                </form>
              )}
              <h3 className="contacts-heading">{t('contacts.myFriends', { count: s.friendCount })}</h3>
              {s.tags.length > 0 && (
                <div className="tag-filter" role="group" aria-label={t('contacts.filterByTag')} data-testid="tag-filter">
                  <button className={`chip chip-button${s.tagFilter === null ? ' active' : ''}`} onClick={() => vm.filterByTag(null)} aria-pressed={s.tagFilter === null}>
                    {t('contacts.allTags')}
                  </button>
                  {s.tags.map((tag) => (
                    <button
                      key={tag.name}
                      className={`chip chip-button${s.tagFilter === tag.name ? ' active' : ''}`}
                      onClick={() => vm.filterByTag(s.tagFilter === tag.name ? null : tag.name)}
                      aria-pressed={s.tagFilter === tag.name}
                      data-testid="tag-filter-chip"
                      data-tag={tag.name}
                    >
                      {tag.name} <span className="muted">{tag.count}</span>
                    </button>
                  ))}
                </div>
              )}
              {s.friendGroups.map((group) => (
                <div key={group.id ?? 'none'} className="friend-group" data-testid="friend-group" data-name={group.name}>
                  {renaming && renaming.id === group.id ? (
                    <form
                      className="inline-form contact-group-form"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void vm.renameGroup(renaming.id, renaming.name);
                        setRenaming(null);
                      }}
                    >
                      <input autoFocus value={renaming.name} onChange={(e) => setRenaming({ ...renaming, name: e.target.value })} maxLength={64} aria-label={t('contacts.renameGroup')} data-testid="contact-group-rename" />
                      <button type="submit" disabled={!renaming.name.trim()}>{t('common.save')}</button>
                    </form>
                  ) : (
                    <button
                      className={`friend-group-head${dropTarget === group.id ? ' drop-target' : ''}`}
                      style={{ paddingLeft: 8 + group.depth * 14 }}
                      onClick={() => vm.toggleGroup(group.id)}
                      onContextMenu={(e) => group.id !== null && openMenu(e, 'contactGroup', group.id)}
                      aria-expanded={group.expanded}
                      data-depth={group.depth}
                      {...groupDrop(group.id)}
                    >
                      <span className={`chevron${group.expanded ? ' open' : ''}`}><ChevronIcon size={14} /></span>
                      <span className="friend-group-name">{group.name}</span>
                      <span className="muted small">{group.people.length}</span>
                    </button>
                  )}
                  {group.expanded && <ul className="pick-list" style={{ paddingLeft: group.depth * 14 }}>{group.people.map((p) => personRow(p))}</ul>}
                </div>
              ))}
            </>
          )}
        </div>
      </div>
      <div className="contacts-detail">
        {detailOpen && (
          <button className="icon-button back-button contacts-back" onClick={() => void vm.select(null)} aria-label={t('chat.back')}>
            <BackIcon />
          </button>
        )}
        {s.error && <div className="form-error contacts-error">{errorMessage(t, s.error)}</div>}
        {s.selection === null && <div className="empty-detail"><span className="muted">{t('contacts.pick')}</span></div>}
        {s.selection?.kind === 'newFriends' && (
          <DetailSection title={t('contacts.newFriends')} testId="friend-requests">
            {s.incoming.length === 0 && s.outgoing.length === 0 && <p className="muted">{t('contacts.noRequests')}</p>}
            {s.incoming.map((r) => (
              <div key={r.requestId} className="request-row" data-testid="friend-request" data-name={r.name}>
                <Avatar id={r.userId} name={r.name} size={40} user />
                <span className="pick-text">
                  <strong>{r.name}</strong>
                  <span className="muted small">{r.message || r.account} · {r.time}</span>
                </span>
                <button className="small-button primary" onClick={() => void vm.accept(r.requestId)} disabled={s.busy}>{t('contacts.accept')}</button>
                <button className="small-button" onClick={() => void vm.reject(r.requestId)} disabled={s.busy}>{t('contacts.reject')}</button>
                <button className="small-button" onClick={() => void vm.ignore(r.requestId)} disabled={s.busy} title={t('contacts.ignoreHint')} data-testid="ignore-request">{t('contacts.ignore')}</button>
              </div>
            ))}
            {s.outgoing.map((r) => (
              <div key={r.requestId} className="request-row" data-testid="sent-request">
                <Avatar id={r.userId} name={r.name} size={40} user />
                <span className="pick-text">
                  <strong>{r.name}</strong>
                  <span className="muted small">{r.message || r.account} · {r.time}</span>
                </span>
                <span className="muted small">{t('contacts.waiting')}</span>
              </div>
            ))}
          </DetailSection>
        )}
        {s.selection?.kind === 'groups' && (
          <DetailSection title={t('contacts.groups')} testId="groups-list">
            {s.groups.length === 0 && <p className="muted">{t('contacts.noGroups')}</p>}
            <ul className="pick-list">
              {s.groups.map((group) => (
                <li key={group.id}>
                  <button className="pick-row" onClick={() => workspace.select(group.id)} onContextMenu={(e) => openMenu(e, 'group', group.id)} {...longPress((e) => openMenu(e, 'group', group.id))} data-testid="contact-group-chat" data-name={group.title}>
                    <Avatar id={group.id} name={group.title} size={34} emoji={group.emoji} kind="group" />
                    <span className="pick-text">{group.title}</span>
                  </button>
                </li>
              ))}
            </ul>
          </DetailSection>
        )}
        {s.selection?.kind === 'org' && s.org && <OrgPane vm={s.org} t={t} onPerson={(id) => void vm.select({ kind: 'person', userId: id })} onMenu={(e, id) => openMenu(e, 'person', id)} />}
        {s.tool?.kind === 'blocked' && <BlockedPane vm={s.tool.vm} t={t} onPerson={(id) => void vm.select({ kind: 'person', userId: id })} />}
        {s.tool?.kind === 'import' && <ImportPane vm={s.tool.vm} t={t} />}
        {s.tool?.kind === 'invite' && (
          <div className="detail-section tool-section" data-testid="my-invites">
            <h2>{t('invite.myLink')}</h2>
            <InviteLinksPanel vm={s.tool.vm} t={t} />
          </div>
        )}
        {s.tool?.kind === 'favorites' && <FavoritesPane vm={s.tool.vm} t={t} />}
        {s.selection?.kind === 'person' && s.profile && (
          <PersonPane
            profile={s.profile}
            contacts={vm}
            tags={s.selectedTags}
            t={t}
            onMessage={(id) => void workspace.messagePerson(id)}
            onOpenInWindow={(id) => void workspace.messagePerson(id, undefined, true)}
          />
        )}
      </div>
      {menu && (
        <div className="menu-backdrop" onClick={() => setMenu(null)} onContextMenu={(e) => { e.preventDefault(); setMenu(null); }}>
          <div className="context-menu" style={{ left: menu.x, top: menu.y }} role="menu" data-testid="contact-menu">
            {menu.kind === 'person' ? (
              <>
                <button role="menuitem" onClick={() => { setMenu(null); void workspace.messagePerson(menu.id); }}>{t('contacts.sendMessage')}</button>
                <button role="menuitem" onClick={() => { setMenu(null); vm.select({ kind: 'person', userId: menu.id }); }}>{t('contacts.viewProfile')}</button>
                <button role="menuitem" onClick={() => { setMenu(null); void workspace.messagePerson(menu.id, undefined, true); }}>{t('menu.openInWindow')}</button>
              </>
            ) : menu.kind === 'group' ? (
              <>
                <button role="menuitem" onClick={() => { setMenu(null); workspace.select(menu.id); }}>{t('contacts.sendMessage')}</button>
                <button role="menuitem" onClick={() => { setMenu(null); workspace.popOut(menu.id); }}>{t('menu.openInWindow')}</button>
              </>
            ) : (
              <>
                <button
                  role="menuitem"
                  onClick={() => {
                    setMenu(null);
                    setRenaming({ id: menu.id, name: s.friendGroups.find((g) => g.id === menu.id)?.name ?? '' });
                  }}
                >
                  {t('contacts.renameGroup')}
                </button>
                <button role="menuitem" onClick={() => { setMenu(null); setNewGroup({ name: '', parentId: menu.id }); }} data-testid="new-subgroup">{t('contacts.newSubgroup')}</button>
                <button role="menuitem" onClick={() => { setMenu(null); setMoving({ id: menu.id, name: s.friendGroups.find((g) => g.id === menu.id)?.name ?? '' }); }} data-testid="move-group">{t('contacts.moveGroup')}</button>
                <button role="menuitem" className="danger" onClick={() => { setMenu(null); void vm.deleteGroup(menu.id); }}>{t('contacts.deleteGroup')}</button>
              </>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function DetailSection({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <div className="detail-section" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </div>
  );
}

function PersonPane({
  profile,
  contacts,
  tags,
  t,
  onMessage,
  onOpenInWindow,
}: {
  profile: ProfileViewModel;
  contacts: ContactsViewModel;
  tags: string[];
  t: Translate;
  onMessage(id: number): void;
  onOpenInWindow(id: number): void;
}) {
  const state = useViewModel(profile);
  const groups = contacts.groupChoices();
  const groupId = contacts.groupOf(profile.userId);
  const [newTag, setNewTag] = useState('');
  return (
    <div className="detail-section person-pane" data-testid="person">
      <ProfileCard vm={profile} t={t} onMessage={onMessage} onOpenInWindow={onOpenInWindow} />
      {state.isFriend && groups.length > 0 && (
        <label className="setting-row person-group">
          <span>{t('contacts.contactGroup')}</span>
          <select value={groupId ?? ''} onChange={(e) => void contacts.moveFriend(profile.userId, e.target.value ? Number(e.target.value) : null)} data-testid="person-contact-group">
            <option value="">{t('contacts.ungrouped')}</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>{`${'\u00a0\u00a0'.repeat(g.depth)}${g.name}`}</option>
            ))}
          </select>
        </label>
      )}
      {state.isFriend && (
        <div className="setting-block person-tags" data-testid="person-tags">
          <span>{t('contacts.tags')}</span>
          <div className="chips">
            {tags.length === 0 && <span className="muted small">{t('contacts.noTags')}</span>}
            {tags.map((tag) => (
              <span key={tag} className="chip" data-testid="person-tag" data-tag={tag}>
                {tag}
                <button className="chip-remove" onClick={() => void contacts.removeTag(profile.userId, tag)} aria-label={t('contacts.removeTag', { tag })} data-testid="remove-tag">×</button>
              </span>
            ))}
          </div>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void contacts.addTag(profile.userId, newTag);
              setNewTag('');
            }}
          >
            <input value={newTag} onChange={(e) => setNewTag(e.target.value)} placeholder={t('contacts.addTag')} maxLength={32} list="contact-tags" aria-label={t('contacts.addTag')} data-testid="tag-input" />
            <datalist id="contact-tags">
              {contacts.getSnapshot().tags.filter((x) => !tags.includes(x.name)).map((x) => <option key={x.name} value={x.name} />)}
            </datalist>
            <button type="submit" disabled={!newTag.trim() || tags.length >= 20} data-testid="tag-add">{t('contacts.add')}</button>
          </form>
        </div>
      )}
    </div>
  );
}

/** A department's path from the top; each step opens that department in the tree. */
function Breadcrumbs({ crumbs, t, current, onOpen }: { crumbs: Crumb[]; t: Translate; current?: number; onOpen(id: number): void }) {
  return (
    <nav className="org-path breadcrumbs" aria-label={t('org.path')} data-testid="org-breadcrumbs">
      {crumbs.map((crumb, i) => (
        <span key={`${crumb.id ?? 'x'}:${i}`} className="crumb">
          {i > 0 && <span className="crumb-separator" aria-hidden="true">{' › '}</span>}
          {crumb.id === null || crumb.id === current ? (
            <span className="crumb-current" aria-current={crumb.id === current ? 'location' : undefined} data-testid="org-crumb-current">{crumb.name}</span>
          ) : (
            <button className="crumb-button" onClick={() => onOpen(crumb.id as number)} data-testid="org-crumb" data-name={crumb.name}>{crumb.name}</button>
          )}
        </span>
      ))}
    </nav>
  );
}

function OrgPane({ vm, t, onPerson, onMenu }: { vm: OrgViewModel; t: Translate; onPerson(id: number): void; onMenu(e: MouseEvent, id: number): void }) {
  const s = useViewModel(vm);
  const person = (p: { id: number; name: string; detail: string; online: boolean | undefined }) => (
    <li key={p.id}>
      <button className="pick-row" onClick={() => onPerson(p.id)} onContextMenu={(e) => onMenu(e, p.id)} data-testid="org-person" data-name={p.name}>
        <Avatar id={p.id} name={p.name} size={32} online={p.online} user />
        <span className="pick-text">
          <span>{p.name}</span>
          {p.detail && <span className="muted small">{p.detail}</span>}
        </span>
      </button>
    </li>
  );
  return (
    <div className="detail-section org-pane" data-testid="org">
      <h2>{s.company || t('contacts.organization')}</h2>
      <label className="search org-search">
        <SearchIcon size={16} />
        <input value={s.query} onChange={(e) => vm.search(e.target.value)} placeholder={t('contacts.searchOrg')} aria-label={t('contacts.searchOrg')} data-testid="org-search" />
      </label>
      {s.loading && <p className="muted">{t('common.loading')}</p>}
      {s.results ? (
        <div className="org-results" data-testid="org-results">
          {s.results.searching && <p className="muted">{t('common.loading')}</p>}
          {!s.results.searching && s.results.departments.length === 0 && s.results.people.length === 0 && <p className="muted">{t('people.nobodyFound')}</p>}
          <ul className="pick-list">
            {s.results.departments.map((d) => (
              <li key={d.id} className="org-result-department" data-testid="org-result-department" data-name={d.name}>
                <button className="pick-row" onClick={() => void vm.openDepartment(d.id)} data-testid="org-result-open">
                  <span className="entry-icon blue"><BuildingIcon size={16} /></span>
                  <span className="pick-text"><span>{d.name}</span></span>
                </button>
                <Breadcrumbs crumbs={d.crumbs} t={t} onOpen={(id) => void vm.openDepartment(id)} />
              </li>
            ))}
            {s.results.people.map(person)}
          </ul>
        </div>
      ) : (
        <div className="org-body">
          <ul className="org-tree" role="tree" data-testid="org-tree">
            {s.nodes.length === 0 && !s.loading && <li className="muted small">{t('contacts.noDepartments')}</li>}
            {s.nodes.map((node) => (
              <li key={node.id} role="treeitem" aria-expanded={node.hasChildren ? node.expanded : undefined} aria-selected={node.selected}>
                <div className={`org-node${node.selected ? ' selected' : ''}`} style={{ paddingLeft: 4 + node.depth * 16 }}>
                  <button className={`chevron-button${node.hasChildren ? '' : ' invisible'}`} onClick={() => vm.toggle(node.id)} aria-label={node.name} tabIndex={node.hasChildren ? 0 : -1}>
                    <span className={`chevron${node.expanded ? ' open' : ''}`}><ChevronIcon size={14} /></span>
                  </button>
                  <button className="org-node-name" onClick={() => void vm.selectDepartment(node.id)} data-testid="org-department" data-name={node.name}>
                    {node.name}
                    <span className="muted small"> {node.memberCount}</span>
                    {node.hidden && <span className="tag">{t('contacts.hidden')}</span>}
                  </button>
                </div>
              </li>
            ))}
          </ul>
          {s.department && (
            <div className="org-members" data-testid="org-members">
              {s.department.crumbs.length > 0 ? (
                <Breadcrumbs crumbs={s.department.crumbs} t={t} current={s.department.id} onOpen={(id) => void vm.openDepartment(id)} />
              ) : (
                <div className="muted small org-path">{s.department.path}</div>
              )}
              {s.department.loading && <p className="muted">{t('common.loading')}</p>}
              <ul className="pick-list">{s.department.members.map(person)}</ul>
              {!s.department.loading && s.department.members.length === 0 && <p className="muted small">{t('contacts.noMembers')}</p>}
              {s.department.more && <button className="link-button" onClick={() => void vm.loadMore()}>{t('group.moreMembers')}</button>}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
