/**
 * Reads a field from a record: the key as written first (CSV headers and JSON keys may contain dots), else a dot
 * path into nested JSON (`requested_for.value`). Absent or null gives undefined.
 */
export function getPath(value: unknown, path: string | undefined): unknown {
  if (path === undefined) return value;
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, path)) return record[path];
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current ?? undefined;
}

/** A field value as cell text: strings as they are, numbers and booleans printed, objects as JSON, absent as ''. */
export function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** A JSON object (not null, not an array): what a record must be. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
