/**
 * The two CSV layouts Entra accepts (docs/graph-api.md §3): the 11-column PascalCase layout of the Entra how-to,
 * which this step produces by default, and the 6-column camelCase layout of the Graph page, accepted on input.
 * Headers compare case-insensitively; output uses the spelling below.
 */

export const UPLOAD_COLUMNS_11 = [
  'PrincipalId',
  'PrincipalType',
  'PermissionId',
  'PermissionName',
  'PermissionDescription',
  'PermissionType',
  'ScopeId',
  'ScopeDisplayName',
  'EntitlementOwners_Users',
  'EntitlementOwners_Groups',
  'CustomData',
] as const;

export const UPLOAD_COLUMNS_6 = [
  'principalId',
  'principalType',
  'permissionId',
  'permissionName',
  'permissionDescription',
  'permissionType',
] as const;

export type LayoutName = '11-column' | '6-column';
export type UploadColumn = (typeof UPLOAD_COLUMNS_11)[number];

export interface UploadLayout {
  name: LayoutName;
  /** Header as written. */
  header: readonly string[];
  /** The same columns under their 11-column names (the names used in code and in the mapping). */
  columns: readonly UploadColumn[];
}

export const LAYOUTS: Record<LayoutName, UploadLayout> = {
  '11-column': { name: '11-column', header: UPLOAD_COLUMNS_11, columns: UPLOAD_COLUMNS_11 },
  '6-column': { name: '6-column', header: UPLOAD_COLUMNS_6, columns: UPLOAD_COLUMNS_11.slice(0, 6) },
};

const byLowerName = new Map<string, UploadColumn>(UPLOAD_COLUMNS_11.map((c) => [c.toLowerCase(), c]));

/** The 11-column name of a header cell, compared case-insensitively, or undefined when it is not an upload column. */
export function canonicalColumn(name: string): UploadColumn | undefined {
  return byLowerName.get(name.trim().toLowerCase());
}

/**
 * Columns that must hold a value. Microsoft says "all columns are mandatory" (how-to) without saying which may be
 * empty; we require the identity of the grant and let description, owners and CustomData be empty. Owners can be
 * made mandatory with `validation.requireOwners` (resource-owner reviews need them).
 */
export const REQUIRED_VALUES: ReadonlySet<UploadColumn> = new Set([
  'PrincipalId',
  'PrincipalType',
  'PermissionId',
  'PermissionName',
  'PermissionType',
  'ScopeId',
  'ScopeDisplayName',
]);

/** Cells a person typed or a system described: a spreadsheet could run them as formulas, so they are neutralised. */
export const FREE_TEXT_COLUMNS: ReadonlySet<UploadColumn> = new Set([
  'PermissionName',
  'PermissionDescription',
  'PermissionType',
  'ScopeDisplayName',
  'CustomData',
]);

/**
 * Length limits in characters. Microsoft documents none; these are generous bounds that catch a mis-mapped column
 * (a whole JSON blob in a name) and keep files reviewable. Each can be changed in the mapping (`validation.maxLength`).
 */
export const DEFAULT_MAX_LENGTH: Record<UploadColumn, number> = {
  PrincipalId: 36,
  PrincipalType: 32,
  PermissionId: 256,
  PermissionName: 256,
  PermissionDescription: 1024,
  PermissionType: 128,
  ScopeId: 256,
  ScopeDisplayName: 256,
  EntitlementOwners_Users: 4000,
  EntitlementOwners_Groups: 4000,
  CustomData: 2000,
};

/** PrincipalType values accepted on input (compared case-insensitively). The 11-column layout always writes EntraIdUser. */
export const KNOWN_PRINCIPAL_TYPES: ReadonlyMap<string, string> = new Map([
  ['entraiduser', 'EntraIdUser'],
  ['user', 'user'],
]);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return value.length === 36 && GUID.test(value);
}
