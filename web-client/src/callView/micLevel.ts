// Live microphone level of a local stream, through a WebAudio AnalyserNode (device check).

import { audioContext } from './audio';

const SAMPLE_MS = 100;

/** Measures the loudness of the stream's microphone ten times a second, as 0..1. */
export class MicLevel {
  private source: MediaStreamAudioSourceNode | null = null;
  private analyser: AnalyserNode | null = null;
  private timer: number | undefined;
  private buffer: Float32Array<ArrayBuffer> = new Float32Array(0);

  constructor(private readonly onLevel: (level: number) => void) {}

  /** Starts measuring `stream` (replacing any previous one); no microphone, no measure. */
  start(stream: MediaStream): void {
    this.stop();
    if (stream.getAudioTracks().length === 0) return;
    const context = audioContext();
    this.source = context.createMediaStreamSource(stream);
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 1024;
    this.buffer = new Float32Array(this.analyser.fftSize);
    // Analysed only, never played: the person must not hear themselves.
    this.source.connect(this.analyser);
    this.timer = window.setInterval(() => { this.sample(); }, SAMPLE_MS);
  }

  stop(): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
    this.source?.disconnect();
    this.source = null;
    this.analyser = null;
  }

  private sample(): void {
    if (!this.analyser) return;
    this.analyser.getFloatTimeDomainData(this.buffer);
    let sum = 0;
    for (const v of this.buffer) sum += v * v;
    const rms = Math.sqrt(sum / this.buffer.length);
    // Speech sits around 0.02–0.2 RMS: a square-root scale makes it fill the bar.
    this.onLevel(Math.min(1, Math.sqrt(rms * 4)));
  }
}
