import { z } from 'zod';

/**
 * The mapping file (YAML or JSON): which sources to read, how they join, how fields become upload columns, and
 * which signals become reviewer context. Unknown keys are rejected everywhere so a typo never passes silently.
 * Source settings are validated by each source type's own schema (sources/registry.ts).
 */

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'expected a name of letters, digits, _ or - (starting with a letter)');
/** `source.field`: a field of a source (the field may contain dots: nested JSON). */
const fieldRef = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*\..+$/, 'expected source.field, e.g. hr.department');
/** Text with `{source.field}` placeholders; `{{` and `}}` are literal braces. */
const template = z.string();
const oneOrMany = z.union([z.string(), z.array(z.string()).min(1)]);

export const conditionSchema = z.strictObject({
  /** True when the named join found no record for the row. */
  missing: name.optional(),
  /** True when the named join found a record. */
  present: name.optional(),
  field: fieldRef.optional(),
  /** Case-insensitive, trimmed; any of the values. */
  equals: oneOrMany.optional(),
  notEquals: oneOrMany.optional(),
  empty: z.literal(true).optional(),
  notEmpty: z.literal(true).optional(),
  /** A regular expression (JavaScript syntax, case-insensitive). */
  matches: z.string().optional(),
  /** True when the two fields differ (case-insensitive, trimmed) and both are non-empty. */
  differsFrom: fieldRef.optional(),
  /** True when the field is a date within this many days before or after the run. */
  withinDays: z.number().int().min(0).optional(),
  get all(): z.ZodOptional<z.ZodArray<typeof conditionSchema>> {
    return z.array(conditionSchema).min(1).optional();
  },
  get any(): z.ZodOptional<z.ZodArray<typeof conditionSchema>> {
    return z.array(conditionSchema).min(1).optional();
  },
  get not(): z.ZodOptional<typeof conditionSchema> {
    return conditionSchema.optional();
  },
});
export type ConditionSettings = z.infer<typeof conditionSchema>;

export const joinSchema = z.strictObject({
  /** Name of a source in `sources`. */
  source: name,
  on: z.strictObject({
    /** Key computed from the primary record, e.g. `{app.employee_id}`. */
    primary: template,
    /** Key computed from each record of the joined source, e.g. `{hr.employee_number}`. */
    joined: template,
  }),
  /** Several records per key (e.g. ITSM requests): conditions test any of them, templates list them. */
  multiple: z.boolean().default(false),
  /** The joined source is held in memory as a lookup: this bounds it. */
  maxRecords: z.number().int().positive().default(500_000),
  caseSensitive: z.boolean().default(false),
});

export const signalSchema = z.strictObject({
  when: conditionSchema,
  /** Reviewer context written into CustomData when the condition holds, e.g. `HR: leaver on {hr.end_date}`. */
  text: template.min(1),
});

export const mappingSchema = z.strictObject({
  version: z.literal(1).default(1),
  layout: z.enum(['11-column', '6-column']).default('11-column'),
  sources: z.record(name, z.looseObject({ type: z.string() })).refine((s) => Object.keys(s).length > 0, 'expected at least one source'),
  /** The source whose records are the access rows (one row per record). */
  primary: name,
  joins: z.array(joinSchema).default([]),
  /** Upload column -> template. Column names compare case-insensitively. */
  columns: z.record(z.string(), template).default({}),
  /** Upload column -> literal value (no placeholders). */
  constants: z.record(z.string(), z.string()).default({}),
  signals: z.array(signalSchema).default([]),
  customDataSeparator: z.string().default('; '),
  validation: z
    .strictObject({
      requireOwners: z.boolean().default(false),
      maxOwners: z.number().int().positive().default(100),
      maxLength: z.record(z.string(), z.number().int().positive()).default({}),
    })
    .default({ requireOwners: false, maxOwners: 100, maxLength: {} }),
  output: z
    .strictObject({
      filePrefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/, 'expected letters, digits, . _ - (a file name prefix)').default('access-data'),
      maxRowsPerFile: z.number().int().positive().default(200_000),
      maxBytesPerFile: z.number().int().min(1024).default(50 * 1024 * 1024),
      /** The portal accepts up to 10 CSV files per upload. */
      maxFiles: z.number().int().min(1).max(10).default(10),
    })
    .default({ filePrefix: 'access-data', maxRowsPerFile: 200_000, maxBytesPerFile: 50 * 1024 * 1024, maxFiles: 10 }),
  thresholds: z
    .strictObject({
      /** Share of read rows rejected or unresolved above which the run is blocked (0..1). */
      maxRejectedShare: z.number().min(0).max(1).default(0.05),
      /** Fewer written rows than this blocks the run (an empty result is never uploaded). */
      minRows: z.number().int().min(1).default(1),
    })
    .default({ maxRejectedShare: 0.05, minRows: 1 }),
  report: z
    .strictObject({
      /** Rejections, unresolved principals and duplicates listed in the report (all are counted). */
      maxListed: z.number().int().min(0).default(200),
    })
    .default({ maxListed: 200 }),
});

export type MappingSettings = z.infer<typeof mappingSchema>;
export type JoinSettings = z.infer<typeof joinSchema>;
