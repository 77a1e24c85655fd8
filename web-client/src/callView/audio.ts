// The page's one AudioContext (microphone meter, speaker test). Browsers start it suspended
// until the person interacts with the page; `resumeOnGesture` wakes it on the first click.

let ctx: AudioContext | null = null;

/** The shared AudioContext, created on first use. */
export function audioContext(): AudioContext {
  if (!ctx) {
    ctx = new AudioContext();
    resumeOnGesture(ctx);
  }
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  return ctx;
}

function resumeOnGesture(context: AudioContext): void {
  const wake = (): void => {
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    if (context.state === 'running') {
      window.removeEventListener('pointerdown', wake, true);
      window.removeEventListener('keydown', wake, true);
    }
  };
  window.addEventListener('pointerdown', wake, true);
  window.addEventListener('keydown', wake, true);
}

/** Plays a short two-note chime on the default output ("Prova altoparlanti"). */
export async function playTestTone(): Promise<void> {
  const context = audioContext();
  await context.resume().catch(() => undefined);
  const start = context.currentTime + 0.05;
  const notes = [660, 880];
  const noteSec = 0.35;
  notes.forEach((freq, i) => {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const t0 = start + i * noteSec;
    // Soft attack and release: no clicks.
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(0.3, t0 + 0.03);
    gain.gain.linearRampToValueAtTime(0, t0 + noteSec - 0.02);
    osc.connect(gain).connect(context.destination);
    osc.start(t0);
    osc.stop(t0 + noteSec);
  });
  await new Promise<void>((resolve) => { window.setTimeout(resolve, (notes.length * noteSec + 0.1) * 1000); });
}
