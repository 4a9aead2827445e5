/**
 * The history backup file's speed (docs/benchmarks.md, "History backup"):
 *   cd web && npx vitest bench --run sdk/bench/backup.bench.ts
 * Key derivation at the default 600,000 PBKDF2 iterations, and writing / reading 64 MiB of
 * file parts in 1 MiB chunks (AES-256-GCM through WebCrypto, as the browser does it).
 */
import { bench, describe } from 'vitest';
import { BACKUP_ITERATIONS, BackupWriter, readBackup } from '../src/backup';

const SIZE = 64 << 20;
const part = crypto.getRandomValues(new Uint8Array(1 << 16));
let file: Uint8Array[] = [];

async function write(iterations: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const writer = await BackupWriter.create('blue harbour lanterns 2026', (b) => void out.push(b), { iterations });
  for (let at = 0; at < SIZE; at += part.length * 16) {
    for (let i = 0; i < 16; i += 1) await writer.writeBytes(part);
  }
  await writer.close();
  return out;
}

async function* pieces(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

describe('history backup file', () => {
  bench('derive the key (PBKDF2-SHA256, 600k)', async () => {
    await BackupWriter.create('blue harbour lanterns 2026', () => undefined, { iterations: BACKUP_ITERATIONS });
  }, { iterations: 5, warmupIterations: 1 });

  bench('write 64 MiB (1k iterations: the cipher alone)', async () => {
    file = await write(1000);
  }, { iterations: 5, warmupIterations: 1 });

  bench('read 64 MiB (1k iterations: the cipher alone)', async () => {
    if (file.length === 0) file = await write(1000);
    let n = 0;
    for await (const record of readBackup(pieces(file), 'blue harbour lanterns 2026', { minIterations: 1000 })) {
      if (record.kind === 'bytes') n += record.data.length;
    }
    if (n !== SIZE) throw new Error(`read ${n}`);
  }, { iterations: 5, warmupIterations: 1 });
});
