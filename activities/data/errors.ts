/**
 * Errors of the data-preparation step. Each names where the problem is (file and line, or URL, or a mapping setting),
 * which field, and what to do, so a person can fix the input without reading code.
 */

/** Where a record or a problem comes from: a file and line, or a URL and the record's index on that page. */
export interface RecordOrigin {
  /** File path or URL. */
  location: string;
  /** 1-based line where the record starts (files). */
  line?: number;
  /** 0-based index of the record in its page or array (APIs, JSON). */
  index?: number;
}

export function describeOrigin(origin: RecordOrigin): string {
  if (origin.line !== undefined) return `${origin.location} line ${origin.line}`;
  if (origin.index !== undefined) return `${origin.location} record #${origin.index}`;
  return origin.location;
}

export interface DataInputProblem {
  origin: RecordOrigin;
  /** Column, field or mapping setting (e.g. `sources.hr.delimiter`). */
  field?: string;
  /** What is wrong. */
  reason: string;
  /** What to do about it. */
  hint?: string;
}

/** Bad input that no retry fixes: the run stops before a session is opened, and the report says why. */
export class DataInputError extends Error {
  override readonly name: string = 'DataInputError';
  readonly problem: DataInputProblem;

  constructor(problem: DataInputProblem, options?: { cause?: unknown }) {
    super(formatProblem(problem), options);
    this.problem = problem;
  }
}

/** A source system did not answer in time or kept failing after the configured retries. */
export class SourceUnavailableError extends DataInputError {
  override readonly name: string = 'SourceUnavailableError';
}

export function formatProblem(problem: DataInputProblem): string {
  const where = describeOrigin(problem.origin);
  const field = problem.field !== undefined ? `: ${problem.field}` : '';
  const hint = problem.hint === undefined ? '' : problem.reason.includes('\n') ? `\n${problem.hint}` : ` ${problem.hint}`;
  return `${where}${field}: ${problem.reason}.${hint}`;
}
