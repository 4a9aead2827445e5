import { describe, expect, it } from 'vitest';
import { BackupError, BackupWriter, blobBytes, readBackup, readBackupHeader, type BackupRecord } from '../src/backup';

const FAST = { iterations: 1000 };
const READ = { minIterations: 1000 };

async function write(records: BackupRecord[], passphrase = 'correct horse battery', chunkSize = 64): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const writer = await BackupWriter.create(passphrase, (b) => void parts.push(b), { ...FAST, chunkSize });
  for (const r of records) {
    if (r.kind === 'json') await writer.writeJson(r.value);
    else await writer.writeBytes(r.data);
  }
  await writer.close();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The file in pieces of `piece` bytes, as a stream would deliver it. */
async function* pieces(bytes: Uint8Array, piece = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += piece) yield bytes.slice(i, i + piece);
}

async function read(bytes: Uint8Array, passphrase = 'correct horse battery', piece = 7): Promise<BackupRecord[]> {
  const out: BackupRecord[] = [];
  for await (const r of readBackup(pieces(bytes, piece), passphrase, READ)) out.push(r);
  return out;
}

async function failure(bytes: Uint8Array, passphrase = 'correct horse battery'): Promise<string> {
  try {
    await read(bytes, passphrase);
  } catch (error) {
    if (error instanceof BackupError) return error.code;
    throw error;
  }
  return 'no error';
}

const file = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 251);
const records: BackupRecord[] = [
  { kind: 'json', value: { t: 'manifest', name: '你好 Alice', n: 1 } },
  { kind: 'json', value: { t: 'entries', entries: Array.from({ length: 20 }, (_, i) => ({ seq: i + 1, text: `m${i}` })) } },
  { kind: 'bytes', data: file },
  { kind: 'bytes', data: new Uint8Array(0) },
  { kind: 'json', value: { t: 'end' } },
];

describe('history backup file', () => {
  it('gives back every record in order, across many small chunks and odd read sizes', async () => {
    const bytes = await write(records);
    expect(readBackupHeader(bytes)).toEqual({ version: 1, iterations: 1000, chunkSize: 64 });
    for (const piece of [1, 7, 64, 100_000]) expect(await read(bytes, undefined, piece)).toEqual(records);
    // Much more than one chunk: the file travels in many encrypted chunks.
    expect(bytes.length).toBeGreaterThan(20 * 64);
  });

  it('round-trips through a Blob', async () => {
    const bytes = await write(records, 'pass', 4096);
    const out: BackupRecord[] = [];
    for await (const r of readBackup(blobBytes(new Blob([bytes as BlobPart]), 100), 'pass', READ)) out.push(r);
    expect(out).toEqual(records);
  });

  it('an empty backup is still a complete file', async () => {
    expect(await read(await write([]))).toEqual([]);
  });

  it('holds no plaintext', async () => {
    const bytes = await write(records);
    expect(new TextDecoder().decode(bytes)).not.toContain('manifest');
  });

  it('says when the passphrase is wrong', async () => {
    const bytes = await write(records);
    expect(await failure(bytes, 'correct horse battery!')).toBe('wrong_passphrase');
    expect(await failure(bytes, '')).toBe('wrong_passphrase');
  });

  it('refuses a file with any byte changed', async () => {
    const bytes = await write(records);
    // Every byte after the magic and version: a header parameter, a chunk flag or length, or ciphertext.
    for (let i = 10; i < bytes.length; i += 13) {
      const tampered = bytes.slice();
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      expect(['damaged', 'wrong_passphrase']).toContain(await failure(tampered));
    }
    // A flipped bit in the ciphertext is "damaged", not a wrong passphrase.
    const tampered = bytes.slice();
    tampered[bytes.length - 20] = (tampered[bytes.length - 20] ?? 0) ^ 0x80;
    expect(await failure(tampered)).toBe('damaged');
  });

  it('refuses a truncated, reordered or extended file', async () => {
    const bytes = await write(records);
    const headerAndFrames = 58;
    const frame = 5 + 64 + 16;
    // Cut at a chunk boundary: every chunk left is authentic, but the last one is missing.
    expect(await failure(bytes.slice(0, headerAndFrames + 3 * frame))).toBe('damaged');
    expect(await failure(bytes.slice(0, bytes.length - 1))).toBe('damaged');
    // Two chunks swapped.
    const swapped = bytes.slice();
    swapped.set(bytes.subarray(headerAndFrames, headerAndFrames + frame), headerAndFrames + frame);
    swapped.set(bytes.subarray(headerAndFrames + frame, headerAndFrames + 2 * frame), headerAndFrames);
    expect(await failure(swapped)).toBe('damaged');
    const extended = new Uint8Array(bytes.length + 1);
    extended.set(bytes);
    expect(await failure(extended)).toBe('damaged');
  });

  it('tells a file that is not a backup, or of another version', async () => {
    expect(await failure(new TextEncoder().encode('hello, this is not a backup at all, not even close to one'))).toBe('not_a_backup');
    expect(await failure(new Uint8Array(3))).toBe('not_a_backup');
    const bytes = await write(records);
    const future = bytes.slice();
    future[8] = 2;
    expect(await failure(future)).toBe('unsupported_version');
  });

  it('refuses a weak key derivation written into the header', async () => {
    const bytes = await write(records);
    await expect(async () => {
      for await (const _ of readBackup(pieces(bytes), 'correct horse battery')) void _;
    }).rejects.toMatchObject({ code: 'damaged' });
  });
});
