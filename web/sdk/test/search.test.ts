import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Client, MemoryCache, searchRequest, snippetParts, type Entry } from '../src';
import { FakeServer } from './fake-server';

describe('search snippets', () => {
  it('cuts a snippet into plain and marked parts', () => {
    expect(snippetParts('我们明天在会议室开会', [[4, 7]])).toEqual([
      { text: '我们明天', hit: false },
      { text: '在会议', hit: true },
      { text: '室开会', hit: false },
    ]);
    expect(snippetParts('deploy now', [[0, 6]])).toEqual([
      { text: 'deploy', hit: true },
      { text: ' now', hit: false },
    ]);
  });

  it('counts in UTF-16 code units, as the server does, and keeps markup as text', () => {
    const snippet = '🚀 <b>shipped</b>';
    expect(snippetParts(snippet, [[6, 13]])).toEqual([
      { text: '🚀 <b>', hit: false },
      { text: 'shipped', hit: true },
      { text: '</b>', hit: false },
    ]);
  });

  it('survives ranges out of bounds or overlapping', () => {
    expect(snippetParts('abc', [[1, 9], [2, 3]])).toEqual([
      { text: 'a', hit: false },
      { text: 'bc', hit: true },
    ]);
    expect(snippetParts('', [[0, 1]])).toEqual([]);
  });

  it('sends only the filters given', () => {
    expect(searchRequest('会议')).toEqual({ q: '会议' });
    expect(searchRequest('x', { conversationId: 4, types: [], limit: 10, cursor: 'c' })).toEqual({
      q: 'x',
      conversation_id: 4,
      limit: 10,
      cursor: 'c',
    });
  });
});

describe('Client search and jumping to a result', () => {
  let server: FakeServer;
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const connect = async () => {
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await vi.advanceTimersByTimeAsync(0);
    return client;
  };

  it('asks messages.search and returns its page', async () => {
    const page = { results: [], next: null };
    server.handlers.set('messages.search', () => page);
    const client = await connect();
    expect(await client.searchMessages('会议', { senderId: 2 })).toEqual(page);
    expect(server.current.ops('messages.search').at(-1)?.data).toEqual({ q: '会议', sender_id: 2 });
  });
});

describe('Client.openAt: a conversation opened at a message far back', () => {
  let server: FakeServer;
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const connect = async () => {
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await vi.advanceTimersByTimeAsync(0);
    return client;
  };
  const seqsOf = (client: Client, id: number) => client.timeline(id).entries.map((e) => e.seq);
  const contiguous = (seqs: number[]) => seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1);

  it('shows the message with its context, without pulling everything after it', async () => {
    server.conversation(4);
    for (let i = 1; i <= 5000; i += 1) server.append(4, `line ${i}`);
    const client = await connect();
    expect(await client.openAt(4, 1234)).toBe(true);
    const snapshot = client.timeline(4);
    const seqs = seqsOf(client, 4);
    expect(snapshot.anchor).toBe(1234);
    expect(snapshot.atLatest).toBe(false);
    expect(seqs).toContain(1234);
    expect(seqs[0]).toBeLessThan(1234);
    expect(seqs.at(-1)).toBeGreaterThan(1234);
    expect(seqs.length).toBeLessThanOrEqual(50);
    expect(contiguous(seqs)).toBe(true);
    expect(server.current.ops('history').some((f) => f.data?.around_seq === 1234)).toBe(true);
  });

  it('pages both ways and joins the live tail, where new messages show again', async () => {
    server.conversation(4);
    for (let i = 1; i <= 300; i += 1) server.append(4, `line ${i}`);
    const client = await connect();
    await client.openAt(4, 100);
    await client.loadOlder(4);
    expect(seqsOf(client, 4)[0]).toBeLessThan(60);
    // A message arrives while the window is far back: held in the tail, not shown yet.
    const live = server.append(4, 'new while away');
    server.current.push('entry', live);
    await vi.advanceTimersByTimeAsync(0);
    expect(seqsOf(client, 4)).not.toContain(live.seq);
    for (let i = 0; i < 10 && !client.timeline(4).atLatest; i += 1) await client.loadNewer(4);
    const snapshot = client.timeline(4);
    expect(snapshot.atLatest).toBe(true);
    expect(snapshot.anchor).toBe(100);
    const seqs = seqsOf(client, 4);
    expect(contiguous(seqs)).toBe(true);
    expect(seqs.at(-1)).toBe(live.seq);
    expect(seqs).toContain(100);
    // And the next one shows at once.
    const next = server.append(4, 'after joining');
    server.current.push('entry', next);
    await vi.advanceTimersByTimeAsync(0);
    expect(seqsOf(client, 4).at(-1)).toBe(next.seq);
  });

  it('a message already held is shown in place; showLatest forgets the anchor', async () => {
    server.conversation(4);
    for (let i = 1; i <= 30; i += 1) server.append(4, `line ${i}`);
    const client = await connect();
    expect(await client.openAt(4, 5)).toBe(true);
    expect(client.timeline(4).atLatest).toBe(true);
    expect(client.timeline(4).anchor).toBe(5);
    expect(server.current.ops('history').some((f) => f.data?.around_seq !== undefined)).toBe(false);
    client.showLatest(4);
    expect(client.timeline(4).anchor).toBe(null);
  });

  it('steps over messages deleted for me on the way down, and reaches the start', async () => {
    server.conversation(4);
    for (let i = 1; i <= 400; i += 1) server.append(4, `line ${i}`);
    for (const seq of [12, 80, 81, 200]) server.deletedForMe.add(`4:${seq}`);
    const client = await connect();
    expect(await client.openAt(4, 10)).toBe(true);
    expect(client.timeline(4).reachedStart).toBe(true);
    for (let i = 0; i < 20 && !client.timeline(4).atLatest; i += 1) await client.loadNewer(4);
    expect(client.timeline(4).atLatest).toBe(true);
    const seqs = seqsOf(client, 4);
    expect(seqs[0]).toBe(1);
    expect(seqs.at(-1)).toBe(400);
    expect(seqs).not.toContain(80);
    expect(seqs).not.toContain(200);
    expect(seqs.length).toBe(396);
  });

  it('a recall of a message in the window shows at once', async () => {
    server.conversation(4);
    for (let i = 1; i <= 300; i += 1) server.append(4, `line ${i}`);
    const client = await connect();
    await client.openAt(4, 50);
    const log = server.logs.get(4)!;
    const recall = {
      ...log[0]!, id: 9999, seq: log.length + 1, kind: 'recall', type: null, body: { target_seq: 50 }, client_msg_id: null,
    } as unknown as Entry;
    log.push(recall);
    server.summaries[0]!.last_seq = recall.seq;
    server.current.push('entry', recall);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.timeline(4).entries.find((e) => e.seq === 50)?.recalled).toBe(true);
  });

  it('a message this member may not see opens nothing', async () => {
    server.conversation(4);
    for (let i = 1; i <= 200; i += 1) server.append(4, `line ${i}`);
    server.deletedForMe.add('4:20');
    const client = await connect();
    expect(await client.openAt(4, 20)).toBe(false);
  });
});

describe('Client.openAt, twice', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a message in the window already shown needs no request; a later jump wins over an earlier one', async () => {
    const server = new FakeServer();
    server.conversation(4);
    for (let i = 1; i <= 1000; i += 1) server.append(4, `line ${i}`);
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await vi.advanceTimersByTimeAsync(0);
    await client.openAt(4, 300);
    const asked = server.current.ops('history').length;
    expect(await client.openAt(4, 305)).toBe(true);
    expect(server.current.ops('history').length).toBe(asked);
    expect(client.timeline(4).anchor).toBe(305);
    // Two jumps in flight: the first one's answer does not replace the second's window.
    server.holdOps.add('history');
    const first = client.openAt(4, 100);
    const second = client.openAt(4, 600);
    server.holdOps.delete('history');
    server.release('history');
    await vi.advanceTimersByTimeAsync(0);
    expect(await first).toBe(false);
    expect(await second).toBe(true);
    expect(client.timeline(4).anchor).toBe(600);
    expect(client.timeline(4).entries.map((e) => e.seq)).toContain(600);
  });
});

describe('A group one has left, opened from a search result (decision 0075)', () => {
  let server: FakeServer;
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Group 9 of 300 entries, which I left at 200: the server answers up to there. */
  const leftGroup = () => {
    server.conversation(9, 'group');
    for (let i = 1; i <= 300; i += 1) server.append(9, `line ${i}`);
    const summary = server.summaries.find((s) => s.id === 9)!;
    server.summaries = server.summaries.filter((s) => s.id !== 9);
    server.ceilings.set(9, 200);
    const asLeft = { ...summary, name: 'Launch', avatar: 'emoji:🚀', last_seq: 200, preview: server.logs.get(9)![199]!, unread: 0, left_seq: 200 };
    server.handlers.set('conversation.get', (data) => {
      if (data.conversation_id === 9) return asLeft;
      throw new Error('not_member');
    });
  };
  const connect = async () => {
    const client = new Client({ transport: server.transport, token: 'token-1', cache: new MemoryCache() });
    await client.start();
    await vi.advanceTimersByTimeAsync(0);
    return client;
  };
  const seqsOf = (client: Client, id: number) => client.timeline(id).entries.map((e) => e.seq);

  it('is looked up once, named, and kept out of the list', async () => {
    leftGroup();
    server.conversation(4);
    const client = await connect();
    const changed: number[][] = [];
    client.on('conversations', ({ ids }) => changed.push(ids));
    expect(client.conversation(9)).toBeUndefined();
    const [first, second] = await Promise.all([client.lookUpConversation(9), client.lookUpConversation(9)]);
    expect(first?.name).toBe('Launch');
    expect(first?.left_seq).toBe(200);
    expect(second).toBe(first);
    expect(await client.lookUpConversation(9)).toBe(first);
    expect(server.current.ops('conversation.get')).toHaveLength(1);
    expect(client.conversation(9)?.avatar).toBe('emoji:🚀');
    expect(client.isMember(9)).toBe(false);
    expect(client.isMember(4)).toBe(true);
    expect(changed).toContainEqual([9]);
    expect(client.conversations().map((c) => c.id)).toEqual([4]);
    // A conversation in the list is answered from it; one I may not read is null.
    expect((await client.lookUpConversation(4))?.id).toBe(4);
    expect(await client.lookUpConversation(77)).toBeNull();
    expect(server.current.ops('conversation.get')).toHaveLength(2);
    // A reconnect's sync does not bring it into the list either.
    server.current.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.state).toBe('connected');
    expect(client.conversations().map((c) => c.id)).toEqual([4]);
  });

  it('opens at the message and scrolls both ways, never past the leaving, sending nothing', async () => {
    leftGroup();
    const client = await connect();
    await client.lookUpConversation(9);
    expect(await client.openAt(9, 60)).toBe(true);
    expect(client.timeline(9).anchor).toBe(60);
    for (let i = 0; i < 5 && !client.timeline(9).reachedStart; i += 1) await client.loadOlder(9);
    for (let i = 0; i < 10 && !client.timeline(9).atLatest; i += 1) await client.loadNewer(9);
    const snapshot = client.timeline(9);
    expect(snapshot.atLatest).toBe(true);
    expect(snapshot.reachedStart).toBe(true);
    expect(seqsOf(client, 9)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await client.loadNewer(9);
    await client.loadOlder(9);
    client.markRead(9);
    client.typingNow(9);
    await vi.advanceTimersByTimeAsync(1_000);
    const asked = server.current.ops('history').map((f) => f.data ?? {});
    expect(asked.every((d) => (d.after_seq as number | undefined) === undefined || (d.after_seq as number) < 200)).toBe(true);
    expect(asked.every((d) => (d.before_seq as number | undefined) === undefined || (d.before_seq as number) <= 201)).toBe(true);
    for (const op of ['ack', 'read', 'typing']) expect(server.current.ops(op)).toEqual([]);
    expect(client.conversations()).toEqual([]);
  });

  it('coming back puts the group in the list again, as a member', async () => {
    leftGroup();
    const client = await connect();
    await client.lookUpConversation(9);
    await client.openAt(9, 150);
    server.ceilings.delete(9);
    server.conversation(9, 'group');
    for (let i = 1; i <= 301; i += 1) server.append(9, `again ${i}`);
    server.handlers.set('conversation.get', () => server.summaries.find((s) => s.id === 9));
    server.privateEntries.push({ seq: 1, kind: 'conversation_joined', data: { conversation_id: 9 }, created_at: 0 });
    server.current.push('private', server.privateEntries[0]);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.isMember(9)).toBe(true);
    expect(client.conversation(9)?.left_seq).toBeUndefined();
    expect(client.conversations().map((c) => c.id)).toEqual([9]);
    expect(client.timeline(9).anchor).toBeNull();
  });
});
