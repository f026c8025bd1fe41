import type { z } from 'zod';

/** One problem with a setting: its key path in the mapping file and what was expected. */
export interface SettingIssue {
  path: (string | number)[];
  message: string;
}

/** Flattens zod issues into key paths (one per unknown key) with messages that say what was expected. */
export function settingIssues(error: z.ZodError, prefix: readonly (string | number)[] = []): SettingIssue[] {
  return error.issues.flatMap((issue): SettingIssue[] => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key '${key}': remove it or check its spelling` }));
    }
    return [{ path, message: issue.message }];
  });
}

/** `joins[0].on.primary` style. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
