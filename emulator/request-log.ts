/** The request log the admin API serves: what was asked, by which app, and what was answered. */

export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  status: number;
  clientId?: string;
  requestId: string;
  clientRequestId: string;
  durationMs: number;
  faults?: string[];
  error?: string;
}

export interface RequestLog {
  add(entry: Omit<RequestLogEntry, 'seq'>): void;
  list(sinceSeq?: number): RequestLogEntry[];
  clear(): void;
}

export function createRequestLog(limit = 10_000): RequestLog {
  let entries: RequestLogEntry[] = [];
  let seq = 0;
  return {
    add(entry) {
      seq += 1;
      entries.push({ seq, ...entry });
      if (entries.length > limit) entries.shift();
    },
    list: (sinceSeq = 0) => entries.filter((e) => e.seq > sinceSeq),
    clear() {
      entries = [];
    },
  };
}
