import type { ConditionSettings } from './mapping-schema';
import type { FieldRef, RowValues } from './template';
import { parseFieldRef } from './template';
import { formatPath } from './zod-issues';
import type { SettingIssue } from './zod-issues';

/** A row as conditions see it: field values plus whether each join found a record. */
export interface RowContext extends RowValues {
  joined(name: string): boolean;
}

export type Predicate = (row: RowContext) => boolean;

export interface ConditionScope {
  /** Sources a field may name (the primary and the joins). */
  sources: ReadonlySet<string>;
  joins: ReadonlySet<string>;
  /** The run's time, for `withinDays`. */
  now: Date;
  /** Records every field a condition reads (for header checks and lookup projection). */
  use(ref: FieldRef, settingPath: string): void;
}

const FIELD_OPERATORS = ['equals', 'notEquals', 'empty', 'notEmpty', 'matches', 'differsFrom', 'withinDays'] as const;
const OTHER_OPERATORS = ['missing', 'present', 'all', 'any', 'not'] as const;
const DAY_MS = 86_400_000;

const norm = (value: string): string => value.trim().toLowerCase();
/** A field's values, normalised, without the empty ones. */
const normValues = (row: RowContext, ref: FieldRef): string[] => row.values(ref).map(norm).filter((v) => v !== '');

/** Compiles a signal condition; problems are added to `issues` with their key path (and a never-true predicate returned). */
export function compileCondition(
  settings: ConditionSettings,
  path: readonly (string | number)[],
  scope: ConditionScope,
  issues: SettingIssue[],
): Predicate {
  const never: Predicate = () => false;
  const used = [...FIELD_OPERATORS, ...OTHER_OPERATORS].filter((op) => settings[op] !== undefined);
  if (used.length !== 1) {
    issues.push({
      path: [...path],
      message: used.length === 0
        ? `expected one operator: ${[...OTHER_OPERATORS, ...FIELD_OPERATORS].join(', ')}`
        : `expected one operator, found ${used.join(' and ')} (combine with all/any)`,
    });
    return never;
  }
  const op = used[0] as (typeof FIELD_OPERATORS)[number] | (typeof OTHER_OPERATORS)[number];
  const isFieldOp = (FIELD_OPERATORS as readonly string[]).includes(op);
  if (isFieldOp !== (settings.field !== undefined)) {
    issues.push({ path: [...path, 'field'], message: isFieldOp ? `'${op}' needs a field (source.field)` : `'${op}' takes no field` });
    return never;
  }
  const checkJoin = (joinName: string, key: string): boolean => {
    if (scope.joins.has(joinName)) return true;
    issues.push({ path: [...path, key], message: `'${joinName}' is not a join (joins: ${[...scope.joins].join(', ') || 'none'})` });
    return false;
  };
  const fieldRef = (text: string, key: string): FieldRef | undefined => {
    const ref = parseFieldRef(text);
    if (ref === undefined || !scope.sources.has(ref.source)) {
      issues.push({ path: [...path, key], message: `'${text}' must name the primary source or a join (${[...scope.sources].join(', ')})` });
      return undefined;
    }
    scope.use(ref, `${formatPath(path)}.${key}`);
    return ref;
  };

  switch (op) {
    case 'missing':
    case 'present': {
      const joinName = settings[op] as string;
      if (!checkJoin(joinName, op)) return never;
      return op === 'missing' ? (row) => !row.joined(joinName) : (row) => row.joined(joinName);
    }
    case 'all':
    case 'any': {
      const parts = (settings[op] ?? []).map((c, i) => compileCondition(c, [...path, op, i], scope, issues));
      return op === 'all' ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row));
    }
    case 'not': {
      const inner = compileCondition(settings.not as ConditionSettings, [...path, 'not'], scope, issues);
      return (row) => !inner(row);
    }
    default:
      break;
  }
  const ref = fieldRef(settings.field as string, 'field');
  if (ref === undefined) return never;
  const values = (row: RowContext): string[] => normValues(row, ref);
  switch (op) {
    case 'equals':
    case 'notEquals': {
      const wanted = new Set((Array.isArray(settings[op]) ? (settings[op]) : [settings[op] as string]).map(norm));
      return op === 'equals'
        ? (row) => values(row).some((v) => wanted.has(v))
        : (row) => {
            const found = values(row);
            return found.length > 0 && found.every((v) => !wanted.has(v));
          };
    }
    case 'empty':
      return (row) => values(row).length === 0;
    case 'notEmpty':
      return (row) => values(row).length > 0;
    case 'matches': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(settings.matches as string, 'i');
      } catch (error) {
        issues.push({ path: [...path, 'matches'], message: `invalid regular expression: ${(error as Error).message}` });
        return never;
      }
      return (row) => row.values(ref).some((v) => pattern.test(v));
    }
    case 'differsFrom': {
      const other = fieldRef(settings.differsFrom as string, 'differsFrom');
      if (other === undefined) return never;
      return (row) => {
        const a = values(row);
        const b = normValues(row, other);
        return a.length > 0 && b.length > 0 && !a.some((v) => b.includes(v));
      };
    }
    case 'withinDays': {
      const limit = (settings.withinDays as number) * DAY_MS;
      const now = scope.now.getTime();
      return (row) =>
        row.values(ref).some((v) => {
          const time = Date.parse(v.trim());
          return !Number.isNaN(time) && Math.abs(time - now) <= limit;
        });
    }
  }
}
