/**
 * Recording a voice message in the browser (issue 12): MediaRecorder for the sound, an
 * AnalyserNode for the live level. Framework-free, so the view model and tests drive it.
 *
 * The waveform sent with the message is the loudness over the whole recording in
 * `WAVEFORM_BARS` bars of 0-100 (the server's VoiceBody takes at most 64).
 */

/** The voice body's limit (tidings.domain.bodies.VoiceBody): ten minutes. */
export const MAX_VOICE_MS = 10 * 60 * 1000;
/** Shorter than this is taken for a slip of the finger and not sent. */
export const MIN_VOICE_MS = 500;
export const WAVEFORM_BARS = 48;
/** Live bars shown while recording. */
const LIVE_BARS = 40;
/** How often the level is read (ms): ten bars a second move smoothly enough (docs/benchmarks.md). */
const SAMPLE_MS = 100;

export interface Recording {
  blob: Blob;
  mime: string;
  durationMs: number;
  waveform: number[];
}

export interface RecorderSnapshot {
  state: 'idle' | 'starting' | 'recording';
  elapsedMs: number;
  /** The latest levels, 0-1, oldest first: the live waveform. */
  levels: number[];
}

/** The first container the browser records (WebM/Opus in Chromium and Firefox, MP4 in Safari). */
export function recordingMime(isSupported: (mime: string) => boolean): string {
  for (const mime of ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4', 'audio/webm']) {
    if (isSupported(mime)) return mime;
  }
  return '';
}

/** Squeeze per-sample levels (0-1) into `bars` bars of 0-100, the loudest bar at 100. */
export function summarizeWaveform(samples: readonly number[], bars = WAVEFORM_BARS): number[] {
  if (samples.length === 0) return [];
  const out: number[] = [];
  const count = Math.min(bars, samples.length);
  for (let i = 0; i < count; i += 1) {
    const from = Math.floor((i * samples.length) / count);
    const to = Math.max(from + 1, Math.floor(((i + 1) * samples.length) / count));
    let peak = 0;
    for (let j = from; j < to; j += 1) peak = Math.max(peak, samples[j] ?? 0);
    out.push(peak);
  }
  const loudest = Math.max(...out);
  return out.map((v) => (loudest > 0 ? Math.round((v / loudest) * 100) : 0));
}

export class VoiceRecorder {
  private snapshot: RecorderSnapshot = { state: 'idle', elapsedMs: 0, levels: [] };
  private readonly listeners = new Set<() => void>();
  private stream: MediaStream | null = null;
  private recorder: MediaRecorder | null = null;
  private audio: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private chunks: Blob[] = [];
  private samples: number[] = [];
  private startedAt = 0;
  private generation = 0;
  private finished: ((recording: Recording | null) => void) | null = null;

  constructor(
    private readonly onLimit: () => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): RecorderSnapshot => this.snapshot;

  private set(change: Partial<RecorderSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of [...this.listeners]) listener();
  }

  /** Ask for the microphone and start; rejects (NotAllowedError…) when it cannot. */
  async start(): Promise<void> {
    if (this.snapshot.state !== 'idle') return;
    const generation = ++this.generation;
    this.set({ state: 'starting', elapsedMs: 0, levels: [] });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (error) {
      this.set({ state: 'idle' });
      throw error;
    }
    if (generation !== this.generation) {
      // Cancelled while the browser asked for permission.
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.stream = stream;
    const mime = recordingMime((m) => MediaRecorder.isTypeSupported(m));
    const recorder = new MediaRecorder(stream, mime ? { mimeType: mime, audioBitsPerSecond: 32_000 } : undefined);
    this.recorder = recorder;
    this.chunks = [];
    this.samples = [];
    recorder.ondataavailable = (event) => {
      if (event.data.size > 0) this.chunks.push(event.data);
    };
    recorder.onstop = () => {
      const durationMs = Math.min(MAX_VOICE_MS, Math.round(this.now() - this.startedAt));
      // Without its parameters (";codecs=opus"): the server takes a bare media type.
      const type = (recorder.mimeType || mime || 'audio/webm').split(';')[0] ?? 'audio/webm';
      const recording: Recording = { blob: new Blob(this.chunks, { type }), mime: type, durationMs, waveform: summarizeWaveform(this.samples) };
      const finished = this.finished;
      this.finished = null;
      this.release();
      finished?.(recording);
    };
    const audio = new AudioContext();
    this.audio = audio;
    const analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    audio.createMediaStreamSource(stream).connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    recorder.start(1000);
    this.startedAt = this.now();
    this.set({ state: 'recording' });
    this.timer = setInterval(() => {
      analyser.getByteTimeDomainData(data);
      let sum = 0;
      for (const value of data) sum += ((value - 128) / 128) ** 2;
      // RMS of speech rarely passes 0.3: scale so that normal speech fills the bubble.
      const level = Math.min(1, Math.sqrt(sum / data.length) * 3.5);
      this.samples.push(level);
      const elapsedMs = this.now() - this.startedAt;
      this.set({ elapsedMs, levels: [...this.snapshot.levels.slice(-(LIVE_BARS - 1)), level] });
      if (elapsedMs >= MAX_VOICE_MS) {
        this.onLimit();
      }
    }, SAMPLE_MS);
  }

  /** Stop and hand over the recording (null if nothing was recorded). */
  stop(): Promise<Recording | null> {
    const recorder = this.recorder;
    if (!recorder || recorder.state === 'inactive') {
      this.cancel();
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      this.finished = resolve;
      recorder.stop();
    });
  }

  /** Throw the recording away. */
  cancel(): void {
    this.generation += 1;
    this.finished = null;
    if (this.recorder && this.recorder.state !== 'inactive') {
      this.recorder.onstop = () => this.release();
      this.recorder.stop();
    } else this.release();
  }

  private release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.recorder = null;
    void this.audio?.close().catch(() => undefined);
    this.audio = null;
    this.set({ state: 'idle', elapsedMs: 0, levels: [] });
  }
}
