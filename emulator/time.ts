/**
 * The emulator's clock. Tests advance it through the admin API instead of sleeping, so the upload window and
 * token lifetimes can be crossed deterministically. Timestamps are written as Graph writes them: UTC, 7 fractional
 * digits, `Z`, and strictly increasing so `$orderby=createdDateTime` is stable even within one millisecond.
 */
export interface Clock {
  nowMs(): number;
  /** Graph DateTimeOffset text, unique and increasing per clock. */
  graphTimestamp(): string;
  advance(ms: number): void;
  offsetMs(): number;
  setOffsetMs(ms: number): void;
}

export function createClock(initialOffsetMs = 0): Clock {
  let offset = initialOffsetMs;
  let lastTicks = 0n;
  const nowMs = (): number => Date.now() + offset;
  return {
    nowMs,
    graphTimestamp(): string {
      // 100 ns ticks since the epoch; sub-millisecond digits come from the monotonic clock.
      const subMs = BigInt(Number(process.hrtime.bigint() % 10_000n));
      let ticks = BigInt(nowMs()) * 10_000n + subMs;
      if (ticks <= lastTicks) ticks = lastTicks + 1n;
      lastTicks = ticks;
      return ticksToIso(ticks);
    },
    advance(ms: number): void {
      offset += ms;
    },
    offsetMs: () => offset,
    setOffsetMs(ms: number): void {
      offset = ms;
    },
  };
}

function ticksToIso(ticks: bigint): string {
  const ms = Number(ticks / 10_000n);
  const frac = (ticks % 10_000_000n).toString().padStart(7, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

const isoPattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A fixed-width UTC form (`YYYY-MM-DDTHH:MM:SS.fffffffZ`) of an ISO 8601 timestamp, so timestamps with 3 or 7
 * fractional digits and any offset compare as strings. Returns undefined for text that is not such a timestamp.
 */
export function sortableTimestamp(text: string): string | undefined {
  const match = isoPattern.exec(text);
  if (match === null) return undefined;
  const [, base = '', fraction = '', zone = 'Z'] = match;
  const wholeSeconds = Date.parse(`${base.length === 16 ? `${base}:00` : base}${zone}`);
  if (Number.isNaN(wholeSeconds)) return undefined;
  return `${new Date(wholeSeconds).toISOString().slice(0, 19)}.${fraction.padEnd(7, '0')}Z`;
}

export function timestampMs(text: string): number {
  return Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
}

/** `2026-04-01 18:24:07Z`: the timestamp format of Entra error bodies. */
export function entraTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
