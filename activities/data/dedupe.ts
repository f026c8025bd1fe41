/**
 * The set of (principal, permission, scope) keys already written, for dedupe. Memory is one entry per distinct
 * key: 5 x 32-bit words in an open-addressing table (the principal is always a GUID by then, 128 bits), plus one
 * Map entry per distinct (permission, scope) pair. Hand-written because a `Set<string>` of the same keys costs about
 * 230 bytes per key (1M keys: 230 MB, measured), which breaks the 300 MB budget; this costs about 40.
 */
export class GrantKeySet {
  private readonly pairs = new Map<string, number>();
  private words = new Uint32Array(5 * 1024);
  private capacity = 1024;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the key; returns false when it was already there. `principal` must be a lower-case GUID. */
  add(principal: string, permissionId: string, scopeId: string): boolean {
    const pairKey = `${permissionId}\u0000${scopeId}`;
    let pair = this.pairs.get(pairKey);
    if (pair === undefined) {
      pair = this.pairs.size + 1; // 0 marks an empty slot
      this.pairs.set(pairKey, pair);
    }
    const a = parseInt(principal.slice(0, 8), 16) >>> 0;
    const b = parseInt(principal.slice(9, 13) + principal.slice(14, 18), 16) >>> 0;
    const c = parseInt(principal.slice(19, 23) + principal.slice(24, 28), 16) >>> 0;
    const d = parseInt(principal.slice(28, 36), 16) >>> 0;
    if (this.insert(a, b, c, d, pair)) {
      this.count += 1;
      if (this.count * 10 > this.capacity * 7) this.grow();
      return true;
    }
    return false;
  }

  private insert(a: number, b: number, c: number, d: number, pair: number): boolean {
    const mask = this.capacity - 1;
    const words = this.words;
    let slot = hash(a, b, c, d, pair) & mask;
    for (;;) {
      const at = slot * 5;
      const stored = words[at + 4] as number;
      if (stored === 0) {
        words[at] = a;
        words[at + 1] = b;
        words[at + 2] = c;
        words[at + 3] = d;
        words[at + 4] = pair;
        return true;
      }
      if (stored === pair && words[at] === a && words[at + 1] === b && words[at + 2] === c && words[at + 3] === d) return false;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.words;
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.words = new Uint32Array(5 * this.capacity);
    for (let slot = 0; slot < oldCapacity; slot += 1) {
      const at = slot * 5;
      const pair = old[at + 4] as number;
      if (pair !== 0) this.insert(old[at] as number, old[at + 1] as number, old[at + 2] as number, old[at + 3] as number, pair);
    }
  }
}

/** Mixes the words (murmur3 steps) so sequential GUIDs spread over the table. */
function hash(a: number, b: number, c: number, d: number, e: number): number {
  let h = mix(mix(mix(mix(mix(0x9747b28c, a), b), c), d), e);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  let m = h ^ Math.imul(k, 0x1b873593);
  m = (m << 13) | (m >>> 19);
  return (Math.imul(m, 5) + 0xe6546b64) | 0;
}
