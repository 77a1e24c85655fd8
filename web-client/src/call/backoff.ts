// Jittered exponential backoff for reconnection (pluggable: the call takes any policy).

export interface ReconnectPolicy {
  /** Delay before retry number `attempt` (0-based), or null to give up. */
  nextDelayMs(attempt: number): number | null;
}

export class JitteredBackoff implements ReconnectPolicy {
  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 10_000,
    private readonly maxAttempts = 10,
    private readonly random: () => number = Math.random,
  ) {}

  nextDelayMs(attempt: number): number | null {
    if (attempt >= this.maxAttempts) return null;
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** attempt);
    // "Equal jitter": half fixed, half random, so retries of many clients spread out.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }
}
