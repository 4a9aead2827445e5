// Writes the new-message sound (app/public/assets/sounds/message.wav): a soft two-note chime,
// synthesised here so the app ships no third-party audio. Run: node scripts/make-notification-sound.mjs
import { writeFileSync } from 'node:fs';

const rate = 16_000;
const seconds = 0.42;
const samples = Math.round(rate * seconds);
const notes = [
  { at: 0.0, freq: 880.0 }, // A5
  { at: 0.11, freq: 1318.5 }, // E6
];
const pcm = new Int16Array(samples);
for (let i = 0; i < samples; i += 1) {
  const t = i / rate;
  let value = 0;
  for (const note of notes) {
    const dt = t - note.at;
    if (dt < 0) continue;
    const attack = Math.min(1, dt / 0.006);
    const envelope = attack * Math.exp(-dt * 11);
    // A touch of the octave makes it bell-like rather than a bare beep.
    value += envelope * (Math.sin(2 * Math.PI * note.freq * dt) + 0.25 * Math.sin(4 * Math.PI * note.freq * dt));
  }
  pcm[i] = Math.round(Math.max(-1, Math.min(1, value * 0.32)) * 32767);
}
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + pcm.byteLength, 4);
header.write('WAVE', 8);
header.write('fmt ', 12);
header.writeUInt32LE(16, 16);
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(rate, 24);
header.writeUInt32LE(rate * 2, 28);
header.writeUInt16LE(2, 32);
header.writeUInt16LE(16, 34);
header.write('data', 36);
header.writeUInt32LE(pcm.byteLength, 40);
const out = new URL('../app/public/assets/sounds/message.wav', import.meta.url);
writeFileSync(out, Buffer.concat([header, Buffer.from(pcm.buffer)]));
console.log(`wrote ${out.pathname} (${44 + pcm.byteLength} bytes)`);
