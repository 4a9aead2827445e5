import { Client, MemoryCache, type Friend, type OrgDepartment } from '@tidings/sdk';
import { describe, expect, it } from 'vitest';
import { FakeServer } from '../../../sdk/test/fake-server';
import { MemoryStore } from '../lib/storage';
import { ContactsViewModel } from '../viewmodels/ContactsViewModel';
import { NameBook } from '../viewmodels/NameBook';
import { OrgViewModel } from '../viewmodels/OrgViewModel';
import { PeoplePickerViewModel } from '../viewmodels/PeoplePickerViewModel';
import { PreferencesViewModel } from '../viewmodels/PreferencesViewModel';
import { WorkspaceViewModel } from '../viewmodels/WorkspaceViewModel';

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

const card = (id: number, nickname: string) => ({ id, account: `u${id}`, nickname, avatar: '', signature: '' });
const friend = (id: number, nickname: string, group: number | null, remark = ''): Friend => ({
  user_id: id, remark, tags: [], contact_group_id: group, user: card(id, nickname),
});

async function connected(server: FakeServer): Promise<Client> {
  const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
  await client.start();
  await settle();
  return client;
}

describe('ContactsViewModel', () => {
  it('shows friends in my nested contact groups, by remark, and the new-friends count live', async () => {
    const server = new FakeServer();
    let requests = { pending_count: 0, incoming: [] as unknown[], outgoing: [] };
    server.handlers.set('friends.list', () => ({
      friends: [friend(2, 'Bob', 11, 'Bobby'), friend(3, 'Carol', null), friend(4, 'Dave', 12)],
      contact_groups: [
        { id: 10, parent_id: null, name: 'Work' },
        { id: 11, parent_id: 10, name: 'Design' },
        { id: 12, parent_id: null, name: 'Family' },
      ],
    }));
    server.handlers.set('friends.requests', () => requests);
    const client = await connected(server);
    const names = new NameBook(client);
    const vm = new ContactsViewModel(client, names, new PreferencesViewModel(new MemoryStore(), ['en']), Date.now, 0);
    await settle();
    const rows = vm.getSnapshot().friendGroups.map((g) => [g.name, g.depth, g.people.map((p) => p.name)]);
    expect(rows).toEqual([
      ['Family', 0, ['Dave']],
      ['Work', 0, []],
      ['Design', 1, ['Bobby']],
      ['Not in a group', 0, ['Carol']],
    ]);
    // Remarks name people everywhere.
    expect(names.name(2)).toBe('Bobby');

    requests = { pending_count: 1, incoming: [{ request_id: 5, from_user: card(6, 'Erin'), message: 'hi', created_at: 1 }], outgoing: [] };
    server.current.push('private', { seq: 1, kind: 'friend_request', data: { request_id: 5, from_user: card(6, 'Erin'), message: 'hi' }, created_at: 1 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await settle();
    expect(vm.getSnapshot().pendingCount).toBe(1);
    expect(vm.getSnapshot().incoming[0]).toMatchObject({ requestId: 5, name: 'Erin', message: 'hi' });

    // Searching: matching friends at once, then the others the server finds.
    server.handlers.set('contacts.search', () => ({
      users: [{ ...card(3, 'Carol'), is_friend: true, remark: '', departments: [] }, { ...card(7, 'Carlos'), is_friend: false, remark: '', departments: [{ id: 1, name: 'Sales', position: '' }] }],
      has_more: false,
    }));
    vm.search('car');
    expect(vm.getSnapshot().search?.friends.map((p) => p.name)).toEqual(['Carol']);
    await settle();
    expect(vm.getSnapshot().search?.others).toMatchObject([{ id: 7, name: 'Carlos', detail: 'u7 · Sales' }]);
    vm.dispose();
    client.stop();
  });
});

describe('WorkspaceViewModel: contacts', () => {
  it('has the badge and the remarks from the start, and the Contacts tab reads the same friends when it opens', async () => {
    const server = new FakeServer();
    const asked: string[] = [];
    let requests = { pending_count: 0, incoming: [] as unknown[], outgoing: [] };
    server.handlers.set('friends.list', () => {
      asked.push('friends.list');
      return { friends: [friend(2, 'Bob', null, 'Bobby')], contact_groups: [] };
    });
    server.handlers.set('friends.requests', () => requests);
    const client = await connected(server);
    const workspace = new WorkspaceViewModel(client, new PreferencesViewModel(new MemoryStore(), ['en']), new MemoryStore());
    await settle();
    expect(workspace.names.name(2)).toBe('Bobby');
    expect(workspace.getSnapshot().contacts).toBeNull();

    requests = { pending_count: 1, incoming: [{ request_id: 5, from_user: card(6, 'Erin'), message: 'hi', created_at: 1 }], outgoing: [] };
    server.current.push('private', { seq: 1, kind: 'friend_request', data: { request_id: 5, from_user: card(6, 'Erin'), message: 'hi' }, created_at: 1 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await settle();
    expect(workspace.getSnapshot().pendingFriends).toBe(1);

    workspace.showSection('contacts');
    await settle();
    const contacts = workspace.getSnapshot().contacts;
    expect(contacts).not.toBeNull();
    expect(await workspace.contacts()).toBe(contacts);
    // No second load: the tab's view model reads the workspace's book.
    expect(asked).toEqual(['friends.list', 'friends.list']);
    expect(contacts?.getSnapshot()).toMatchObject({ pendingCount: 1, friendCount: 1 });
    expect(contacts?.getSnapshot().incoming[0]).toMatchObject({ requestId: 5, name: 'Erin' });
    expect(contacts?.getSnapshot().friendGroups.flatMap((g) => g.people.map((p) => p.name))).toEqual(['Bobby']);
    workspace.dispose();
    client.stop();
  });
});

describe('ContactsViewModel: groups by number', () => {
  it('finds a group when the search is its number, and joins it', async () => {
    const server = new FakeServer();
    server.handlers.set('friends.list', () => ({ friends: [], contact_groups: [] }));
    server.handlers.set('friends.requests', () => ({ pending_count: 0, incoming: [], outgoing: [] }));
    server.handlers.set('contacts.search', () => ({ users: [], has_more: false }));
    server.handlers.set('group.find', (data) => {
      if (data.number !== 100042) throw new Error('not_found');
      return { id: 42, number: 100042, name: 'Open house', avatar: '', intro: '', member_count: 8, join_mode: 'approval' };
    });
    const joins: unknown[] = [];
    server.handlers.set('group.join', (data) => {
      joins.push(data);
      return { status: 'pending', request: { id: 1, conversation_id: 42, user_id: 1, message: '', status: 'pending', created_at: 0 } };
    });
    const client = await connected(server);
    const vm = new ContactsViewModel(client, new NameBook(client), new PreferencesViewModel(new MemoryStore(), ['en']), Date.now, 0);
    await settle();
    vm.search('100042');
    await settle();
    expect(vm.getSnapshot().foundGroup).toMatchObject({ id: 42, name: 'Open house', memberCount: 8, member: false, joinMode: 'approval' });
    expect(await vm.joinFoundGroup()).toBe('pending');
    expect(joins).toEqual([{ conversation_id: 42, message: '' }]);
    expect(vm.getSnapshot().foundGroup).toMatchObject({ requested: true, member: false });
    vm.search('alice');
    await settle();
    expect(vm.getSnapshot().foundGroup).toBeNull();
    vm.dispose();
    client.stop();
  });
});

describe('OrgViewModel', () => {
  it('lays the tree out parents first, opens where a picked department sits, and lists its people', async () => {
    const server = new FakeServer();
    const departments: OrgDepartment[] = [
      { id: 1, parent_id: null, name: 'Engineering', hidden: false, member_count: 1 },
      { id: 2, parent_id: 1, name: 'Web', hidden: false, member_count: 2 },
      { id: 3, parent_id: 2, name: 'Design systems', hidden: false, member_count: 0 },
      { id: 4, parent_id: null, name: 'Sales', hidden: true, member_count: 0 },
    ];
    server.handlers.set('org.tree', () => ({ version: 1, company: 'Acme', departments }));
    server.handlers.set('org.department', (data) => ({
      department: { id: data.department_id, parent_id: 2, name: 'Design systems' },
      path: 'Engineering/Web/Design systems',
      children: [],
      members: [{ ...card(9, 'Ivy'), position: 'Lead' }],
      next_after_user_id: null,
    }));
    const client = await connected(server);
    const vm = new OrgViewModel(client, new NameBook(client), 0);
    await vm.open();
    expect(vm.getSnapshot().company).toBe('Acme');
    expect(vm.getSnapshot().nodes.map((n) => `${'-'.repeat(n.depth)}${n.name}`)).toEqual(['Engineering', '-Web', 'Sales']);
    await vm.selectDepartment(3);
    expect(vm.getSnapshot().nodes.map((n) => n.name)).toEqual(['Engineering', 'Web', 'Design systems', 'Sales']);
    expect(vm.getSnapshot().department).toMatchObject({ path: 'Engineering › Web › Design systems', members: [{ id: 9, name: 'Ivy', detail: 'Lead' }] });
    vm.toggle(1);
    expect(vm.getSnapshot().nodes.map((n) => n.name)).toEqual(['Engineering', 'Sales']);
    // Chosen twice while the first page is on its way (the tab's first department, then a
    // search result opening it): its people once, not twice.
    await Promise.all([vm.selectDepartment(3), vm.openDepartment(3)]);
    expect(vm.getSnapshot().department?.members.map((m) => m.id)).toEqual([9]);
    vm.dispose();
    client.stop();
  });
});

describe('PeoplePickerViewModel', () => {
  it('offers people known and found, never me or those excluded, and remembers the picks', async () => {
    const server = new FakeServer();
    server.handlers.set('contacts.search', () => ({
      users: [{ ...card(1, 'Alice'), is_friend: false, remark: '', departments: [] }, { ...card(8, 'Hank'), is_friend: false, remark: '', departments: [] }, { ...card(9, 'Hana'), is_friend: true, remark: 'Hana (QA)', departments: [] }],
      has_more: false,
    }));
    const client = await connected(server);
    const picker = new PeoplePickerViewModel(client, new NameBook(client), new Set([8]), 0);
    picker.search('ha');
    await settle();
    const people = picker.getSnapshot().people;
    expect(people.map((p) => [p.name, p.disabled])).toEqual([['Hana (QA)', false], ['Hank', true]]);
    picker.toggle(8);
    picker.toggle(9);
    expect(picker.selectedIds).toEqual([9]);
    picker.search('');
    expect(picker.getSnapshot().selected.map((p) => p.name)).toEqual(['Hana (QA)']);
    picker.dispose();
    client.stop();
  });
});
