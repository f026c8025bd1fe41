import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ReviewUploadFieldsSchema } from '../contracts/review-upload-schema';
import type { UploadTarget } from '../contracts/targets';

const inputShape = ReviewUploadFieldsSchema.shape;

const TargetSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and "-" (it becomes part of schedule ids)'),
    catalogId: inputShape.catalogId,
    resourceId: inputShape.resourceId,
    reviewDefinitionIds: z.array(inputShape.reviewDefinitionId).min(1, 'at least one review definition'),
    source: inputShape.source,
    options: inputShape.options,
  })
  .strict();

export const UploadTargetsFileSchema = z
  .object({ targets: z.array(TargetSchema).min(1, 'at least one target') })
  .strict()
  .superRefine((file, ctx) => {
    const names = new Set<string>();
    file.targets.forEach((t, i) => {
      if (names.has(t.name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `"${t.name}" is used twice` });
      names.add(t.name);
    });
  });

export class TargetsFileError extends Error {
  override name = 'TargetsFileError';
}

/**
 * Reads the targets file; a relative `mappingPath` is taken from the file's folder and made absolute, since workers
 * read it. Errors name the file and the key path (e.g. `targets.0.reviewDefinitionIds`).
 */
export async function loadUploadTargets(file: string): Promise<UploadTarget[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TargetsFileError(`${file}: cannot read the upload targets file (${(err as Error).message}); set UPLOAD_TARGETS_FILE to its path`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new TargetsFileError(`${file}: not valid YAML or JSON: ${(err as Error).message}`);
  }
  const parsed = UploadTargetsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new TargetsFileError(`${file}: invalid upload targets:\n${lines.join('\n')}`);
  }
  const dir = path.dirname(path.resolve(file));
  return parsed.data.targets.map((t) =>
    t.source.kind === 'prepare' ? { ...t, source: { kind: 'prepare', mappingPath: path.resolve(dir, t.source.mappingPath) } } : t,
  );
}

/** The target that owns a (catalog, resource) pair, if this deployment feeds it. */
export function targetFor(targets: readonly UploadTarget[], catalogId: string, resourceId: string): UploadTarget | undefined {
  return targets.find((t) => t.catalogId === catalogId && t.resourceId === resourceId);
}
