import { FREE_TEXT_COLUMNS, KNOWN_PRINCIPAL_TYPES, REQUIRED_VALUES, isGuid } from './layout';
import type { UploadColumn, UploadLayout } from './layout';

export interface ValidationSettings {
  requireOwners: boolean;
  maxOwners: number;
  maxLength: Record<UploadColumn, number>;
}

export type RowVerdict =
  | { ok: true; cells: string[]; neutralised: number; truncated: boolean }
  | { ok: false; unresolved: boolean; field: UploadColumn; reason: string; value: string };

/** Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/** Prefixes a cell a spreadsheet would run as a formula with `'`, which shows the text as typed. */
export function neutraliseFormula(cell: string): string {
  return cell.length > 0 && FORMULA_START.has(cell[0] as string) ? `'${cell}` : cell;
}

/** Splits an owners cell (`,` or `;` separated) into trimmed, non-empty entries. */
export function splitOwners(cell: string): string[] {
  if (cell === '') return [];
  return cell.split(/[,;]/).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The keys a row of this layout needs resolved: its principal and user owners given as UPN or e-mail. The owners
 * column is looked up once per layout here, not once per row.
 */
export function keysToResolve(layout: UploadLayout): (cells: readonly string[]) => string[] {
  const ownersAt = layout.columns.indexOf('EntitlementOwners_Users');
  return (cells) => {
    const keys: string[] = [];
    const principal = (cells[0] ?? '').trim();
    if (principal.includes('@')) keys.push(principal);
    if (ownersAt >= 0) for (const owner of splitOwners(cells[ownersAt] ?? '')) if (owner.includes('@')) keys.push(owner);
    return keys;
  };
}

/** A rejected row's verdict, the value shortened for the report. */
function rejection(column: UploadColumn, reason: string, value: string, unresolved = false): RowVerdict {
  return { ok: false, unresolved, field: column, reason, value: value.length > 80 ? `${value.slice(0, 77)}...` : value };
}

/**
 * Checks one mapped row and returns the cells to write (principal resolved, owners normalised, free text
 * neutralised) or why it is rejected. `resolved` holds the answers for `keysToResolve`. `mapped` is updated in place.
 */
export function validateRow(
  mapped: string[],
  layout: UploadLayout,
  settings: ValidationSettings,
  resolved: ReadonlyMap<string, string | null>,
): RowVerdict {
  const cells = mapped; // the caller's fresh array: updated in place, saving one array per row
  for (let i = 0; i < cells.length; i += 1) cells[i] = (cells[i] as string).trim();
  const columns = layout.columns;

  for (let i = 0; i < columns.length; i += 1) {
    const column = columns[i] as UploadColumn;
    if (REQUIRED_VALUES.has(column) && cells[i] === '') return rejection(column, 'is empty; every row needs a value here (check the mapping of this column)', '');
  }

  // PrincipalId: an object id, or a UPN/e-mail that resolves to one.
  const principal = cells[0] as string;
  if (isGuid(principal)) {
    cells[0] = principal.toLowerCase();
  } else if (principal.includes('@')) {
    const id = resolved.get(principal);
    if (id === undefined || id === null) return rejection('PrincipalId', 'no Entra ID user has this UPN or e-mail', principal, true);
    cells[0] = id.toLowerCase();
  } else {
    return rejection('PrincipalId', 'is neither an Entra object id (GUID) nor a UPN/e-mail', principal);
  }

  const type = KNOWN_PRINCIPAL_TYPES.get((cells[1] as string).toLowerCase());
  if (type === undefined) return rejection('PrincipalType', `unknown principal type (expected ${layout.name === '11-column' ? 'EntraIdUser' : 'EntraIdUser or user'})`, cells[1] as string);
  cells[1] = layout.name === '11-column' ? 'EntraIdUser' : type;

  let neutralised = 0;
  let truncated = false;
  for (let i = 2; i < columns.length; i += 1) {
    const column = columns[i] as UploadColumn;
    let cell = cells[i] as string;
    if (column === 'EntitlementOwners_Users' || column === 'EntitlementOwners_Groups') {
      const owners = splitOwners(cell);
      if (owners.length > settings.maxOwners) return rejection(column, `lists ${owners.length} owners, more than validation.maxOwners (${settings.maxOwners})`, cell);
      if (settings.requireOwners && owners.length === 0 && column === 'EntitlementOwners_Users' && splitOwners(cells[i + 1] ?? '').length === 0) {
        return rejection(column, 'no owner (users or groups) but validation.requireOwners is set', cell);
      }
      const ids: string[] = [];
      for (const owner of owners) {
        if (isGuid(owner)) ids.push(owner.toLowerCase());
        else if (column === 'EntitlementOwners_Users' && owner.includes('@')) {
          const id = resolved.get(owner);
          if (id === undefined || id === null) return rejection(column, `the owner '${owner}' is not an Entra ID user`, cell);
          ids.push(id.toLowerCase());
        } else {
          return rejection(column, `'${owner}' is not an object id (GUID)${column === 'EntitlementOwners_Groups' ? '; groups must be given by id' : ''}`, cell);
        }
      }
      cell = ids.join(',');
    }
    const max = settings.maxLength[column];
    if (cell.length > max) {
      if (column !== 'CustomData') return rejection(column, `is ${cell.length} characters long, more than ${max} (validation.maxLength.${column})`, cell);
      cell = `${cell.slice(0, max - 3)}...`; // reviewer context only: shorten rather than drop the access row
      truncated = true;
    }
    if (FREE_TEXT_COLUMNS.has(column)) {
      const safe = neutraliseFormula(cell);
      if (safe !== cell) neutralised += 1;
      cell = safe;
    }
    cells[i] = cell;
  }
  return { ok: true, cells, neutralised, truncated };
}
