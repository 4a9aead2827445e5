/**
 * The history backup file: a passphrase-encrypted, chunked stream of records
 * (docs/decisions/0051-history-backup.md).
 *
 * Layout (integers big-endian):
 *
 *   header   magic "TDBACKUP" (8) | version u8 = 1 | kdf u8 = 1 (PBKDF2-HMAC-SHA256)
 *            | iterations u32 | salt (16) | nonce prefix (8) | chunk size u32 | check (16)
 *   chunks   last u8 (0 or 1) | length u32 | AES-256-GCM ciphertext of at most `chunk size`
 *            plaintext bytes; nonce = nonce prefix | chunk counter u32 (0, 1, 2...);
 *            additional data = the whole header | the `last` byte
 *
 * PBKDF2 derives 64 bytes from the passphrase: the first 32 are the AES key, SHA-256 of the
 * other 32 (first 16 bytes) is `check`, so a wrong passphrase is told apart from a damaged
 * file. The counter in the nonce refuses reordered or dropped chunks, the `last` byte in the
 * additional data refuses a truncated file, the header in it refuses edited parameters.
 *
 * The plaintext is a sequence of records: kind u8 (1 = JSON, 2 = bytes) | length u32 |
 * payload. Records run across chunk boundaries, so neither side ever holds more than a chunk
 * and one record: a backup of many gigabytes streams through.
 *
 * Only WebCrypto (`crypto.subtle`), present in browsers and Node: no dependency.
 */

export const BACKUP_MAGIC = 'TDBACKUP';
export const BACKUP_VERSION = 1;
/** OWASP's 2023 advice for PBKDF2-HMAC-SHA256. */
export const BACKUP_ITERATIONS = 600_000;
/** Files older than the version 1 default are not written; readers refuse fewer than this. */
export const BACKUP_MIN_ITERATIONS = 100_000;
const MAX_ITERATIONS = 10_000_000;
export const BACKUP_CHUNK_SIZE = 1 << 20;
const MAX_CHUNK_SIZE = 16 << 20;
/** No record is bigger than this (files travel in parts of a chunk's size). */
export const MAX_RECORD_BYTES = 64 << 20;

const KDF_PBKDF2_SHA256 = 1;
const HEADER_BYTES = 8 + 1 + 1 + 4 + 16 + 8 + 4 + 16;
const TAG_BYTES = 16;
const RECORD_JSON = 1;
const RECORD_BYTES = 2;

export type BackupErrorCode = 'not_a_backup' | 'unsupported_version' | 'wrong_passphrase' | 'damaged';

/** Why a backup cannot be read; `code` is stable (the app translates it). */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export type BackupRecord = { kind: 'json'; value: unknown } | { kind: 'bytes'; data: Uint8Array };

export interface BackupWriterOptions {
  /** PBKDF2 iterations (default 600 000; tests pass fewer). */
  iterations?: number;
  /** Plaintext bytes per encrypted chunk (default 1 MiB). */
  chunkSize?: number;
}

export interface BackupReaderOptions {
  /** Refuse files whose key derivation is cheaper than this (default 100 000). */
  minIterations?: number;
}

/** Where the encrypted bytes go: called in order, awaited before the next. */
export type BackupSink = (bytes: Uint8Array) => void | Promise<void>;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

async function deriveKeys(passphrase: string, salt: Uint8Array, iterations: number): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, material, 512),
  );
  const key = await crypto.subtle.importKey('raw', bits.slice(0, 32), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const check = new Uint8Array(await crypto.subtle.digest('SHA-256', bits.slice(32))).slice(0, 16);
  return { key, check };
}

function nonceOf(prefix: Uint8Array, counter: number): Uint8Array {
  const nonce = new Uint8Array(12);
  nonce.set(prefix, 0);
  new DataView(nonce.buffer).setUint32(8, counter);
  return nonce;
}

function additionalData(header: Uint8Array, last: boolean): Uint8Array {
  const out = new Uint8Array(header.length + 1);
  out.set(header, 0);
  out[header.length] = last ? 1 : 0;
  return out;
}

/** Writes a backup: records in, encrypted chunks out to the sink. */
export class BackupWriter {
  private readonly buffer: Uint8Array;
  private filled = 0;
  private counter = 0;
  private closed = false;

  private constructor(
    private readonly key: CryptoKey,
    private readonly header: Uint8Array,
    private readonly noncePrefix: Uint8Array,
    private readonly sink: BackupSink,
    chunkSize: number,
  ) {
    this.buffer = new Uint8Array(chunkSize);
  }

  /** Derive the key (slow on purpose) and write the header. */
  static async create(passphrase: string, sink: BackupSink, options: BackupWriterOptions = {}): Promise<BackupWriter> {
    const iterations = options.iterations ?? BACKUP_ITERATIONS;
    const chunkSize = options.chunkSize ?? BACKUP_CHUNK_SIZE;
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) throw new RangeError('iterations out of range');
    if (!Number.isInteger(chunkSize) || chunkSize < 16 || chunkSize > MAX_CHUNK_SIZE) throw new RangeError('chunk size out of range');
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const noncePrefix = crypto.getRandomValues(new Uint8Array(8));
    const { key, check } = await deriveKeys(passphrase, salt, iterations);
    const header = new Uint8Array(HEADER_BYTES);
    const view = new DataView(header.buffer);
    header.set(encoder.encode(BACKUP_MAGIC), 0);
    header[8] = BACKUP_VERSION;
    header[9] = KDF_PBKDF2_SHA256;
    view.setUint32(10, iterations);
    header.set(salt, 14);
    header.set(noncePrefix, 30);
    view.setUint32(38, chunkSize);
    header.set(check, 42);
    await sink(header.slice());
    return new BackupWriter(key, header, noncePrefix, sink, chunkSize);
  }

  /** A JSON record (an object the reader gets back as parsed JSON). */
  writeJson(value: unknown): Promise<void> {
    return this.writeRecord(RECORD_JSON, encoder.encode(JSON.stringify(value)));
  }

  /** A bytes record (a part of a file), at most MAX_RECORD_BYTES. */
  writeBytes(data: Uint8Array): Promise<void> {
    return this.writeRecord(RECORD_BYTES, data);
  }

  private async writeRecord(kind: number, payload: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('backup writer closed');
    if (payload.length > MAX_RECORD_BYTES) throw new RangeError('record too large');
    const head = new Uint8Array(5);
    head[0] = kind;
    new DataView(head.buffer).setUint32(1, payload.length);
    await this.push(head);
    await this.push(payload);
  }

  private async push(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(bytes.length - offset, this.buffer.length - this.filled);
      this.buffer.set(bytes.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.buffer.length) await this.flush(false);
    }
  }

  private async flush(last: boolean): Promise<void> {
    const plain = this.buffer.slice(0, this.filled);
    const cipher = new Uint8Array(
      await crypto.subtle.encrypt(
        {
          name: 'AES-GCM',
          iv: nonceOf(this.noncePrefix, this.counter) as BufferSource,
          additionalData: additionalData(this.header, last) as BufferSource,
        },
        this.key,
        plain,
      ),
    );
    this.counter += 1;
    this.filled = 0;
    const frame = new Uint8Array(5 + cipher.length);
    frame[0] = last ? 1 : 0;
    new DataView(frame.buffer).setUint32(1, cipher.length);
    frame.set(cipher, 5);
    await this.sink(frame);
  }

  /** Write the last chunk; the file is complete only after this. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush(true);
    this.closed = true;
  }
}

/** Bytes arriving in pieces, taken in exact amounts. */
class ByteQueue {
  private parts: Uint8Array[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  /** Exactly n bytes, or null when fewer have arrived. */
  take(n: number): Uint8Array | null {
    if (n > this.size) return null;
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const part = this.parts[0] as Uint8Array;
      const used = Math.min(part.length, n - filled);
      out.set(part.subarray(0, used), filled);
      filled += used;
      if (used === part.length) this.parts.shift();
      else this.parts[0] = part.subarray(used);
    }
    this.size -= n;
    return out;
  }
}

/** What the header says; `readBackupHeader` reads only this (no passphrase needed). */
export interface BackupHeader {
  version: number;
  iterations: number;
  chunkSize: number;
}

function parseHeader(bytes: Uint8Array, minIterations: number): BackupHeader & { salt: Uint8Array; noncePrefix: Uint8Array; check: Uint8Array } {
  if (decoder.decode(bytes.subarray(0, 8)) !== BACKUP_MAGIC) throw new BackupError('not_a_backup', 'this file is not a Tidings history backup');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8] ?? 0;
  if (version !== BACKUP_VERSION || bytes[9] !== KDF_PBKDF2_SHA256) {
    throw new BackupError('unsupported_version', `backup format ${version} is not supported by this version of Tidings`);
  }
  const iterations = view.getUint32(10);
  const chunkSize = view.getUint32(38);
  if (iterations < minIterations || iterations > MAX_ITERATIONS || chunkSize < 16 || chunkSize > MAX_CHUNK_SIZE) {
    throw new BackupError('damaged', 'the backup header is damaged');
  }
  return {
    version,
    iterations,
    chunkSize,
    salt: bytes.slice(14, 30),
    noncePrefix: bytes.slice(30, 38),
    check: bytes.slice(42, 58),
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Read a backup's records in order. Throws BackupError: `not_a_backup`, `unsupported_version`,
 * `wrong_passphrase` (before any record), or `damaged` (a changed, reordered, truncated or
 * extended file; records before the damage may already have been yielded, so importers
 * should write what they get idempotently).
 */
export async function* readBackup(
  source: AsyncIterable<Uint8Array>,
  passphrase: string,
  options: BackupReaderOptions = {},
): AsyncGenerator<BackupRecord> {
  const input = new ByteQueue();
  const plain = new ByteQueue();
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const fill = async (n: number): Promise<boolean> => {
    while (input.length < n && !ended) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else input.push(next.value);
    }
    return input.length >= n;
  };

  if (!(await fill(HEADER_BYTES))) {
    if (input.length >= 8 && decoder.decode(input.take(8) as Uint8Array) === BACKUP_MAGIC) throw new BackupError('damaged', 'the backup is cut short');
    throw new BackupError('not_a_backup', 'this file is not a Tidings history backup');
  }
  const headerBytes = input.take(HEADER_BYTES) as Uint8Array;
  const header = parseHeader(headerBytes, options.minIterations ?? BACKUP_MIN_ITERATIONS);
  const { key, check } = await deriveKeys(passphrase, header.salt, header.iterations);
  if (!equalBytes(check, header.check)) throw new BackupError('wrong_passphrase', 'the passphrase is not the one this backup was made with');

  let counter = 0;
  let sawLast = false;
  let pendingKind = 0;
  let pendingLength = -1;
  while (!sawLast) {
    if (!(await fill(5))) throw new BackupError('damaged', 'the backup is cut short');
    const frameHead = input.take(5) as Uint8Array;
    const last = frameHead[0] === 1;
    if (frameHead[0] !== 0 && !last) throw new BackupError('damaged', 'the backup is damaged');
    const length = new DataView(frameHead.buffer).getUint32(1);
    if (length < TAG_BYTES || length > header.chunkSize + TAG_BYTES) throw new BackupError('damaged', 'the backup is damaged');
    if (!(await fill(length))) throw new BackupError('damaged', 'the backup is cut short');
    const cipher = input.take(length) as Uint8Array;
    let clear: Uint8Array;
    try {
      clear = new Uint8Array(
        await crypto.subtle.decrypt(
          {
            name: 'AES-GCM',
            iv: nonceOf(header.noncePrefix, counter) as BufferSource,
            additionalData: additionalData(headerBytes, last) as BufferSource,
          },
          key,
          cipher as BufferSource,
        ),
      );
    } catch {
      throw new BackupError('damaged', 'the backup has been changed or is damaged');
    }
    counter += 1;
    sawLast = last;
    plain.push(clear);
    // Every whole record now in the plaintext.
    for (;;) {
      if (pendingLength < 0) {
        const head = plain.take(5);
        if (!head) break;
        pendingKind = head[0] ?? 0;
        pendingLength = new DataView(head.buffer).getUint32(1);
        if ((pendingKind !== RECORD_JSON && pendingKind !== RECORD_BYTES) || pendingLength > MAX_RECORD_BYTES) {
          throw new BackupError('damaged', 'the backup is damaged');
        }
      }
      const payload = plain.take(pendingLength);
      if (!payload) break;
      pendingLength = -1;
      if (pendingKind === RECORD_JSON) {
        let value: unknown;
        try {
          value = JSON.parse(decoder.decode(payload));
        } catch {
          throw new BackupError('damaged', 'the backup is damaged');
        }
        yield { kind: 'json', value };
      } else {
        yield { kind: 'bytes', data: payload };
      }
    }
  }
  if (pendingLength >= 0 || plain.length > 0) throw new BackupError('damaged', 'the backup is cut short');
  if (await fill(1)) throw new BackupError('damaged', 'the backup has bytes after its end');
}

/** The header of a backup file, read without the passphrase (to say what it is early). */
export function readBackupHeader(bytes: Uint8Array): BackupHeader {
  if (bytes.length < HEADER_BYTES) throw new BackupError('not_a_backup', 'this file is not a Tidings history backup');
  const { version, iterations, chunkSize } = parseHeader(bytes.subarray(0, HEADER_BYTES), 1);
  return { version, iterations, chunkSize };
}

/** A Blob or File as a stream of byte pieces (for `readBackup`). */
export async function* blobBytes(blob: Blob, pieceSize = BACKUP_CHUNK_SIZE): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < blob.size; offset += pieceSize) {
    yield new Uint8Array(await blob.slice(offset, offset + pieceSize).arrayBuffer());
  }
}
