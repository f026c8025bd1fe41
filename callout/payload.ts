import { z } from 'zod';
import { ReviewUploadFieldsSchema } from '../contracts/review-upload-schema';

/**
 * The body of Entra's callout (graph-api.md §1.5): `{ source: "/identityGovernance/accessReviews", catalogId,
 * resourceId, data: { "@odata.type", reviewDefinitionId, reviewInstanceId } }`. `data`'s type says what Entra asks
 * for: an upload of access data (handled here), or applying decisions (never done automatically: not handled here).
 * Unknown extra properties are ignored, so a field Entra adds later does not break the receiver.
 */

export const CALLOUT_SOURCE = '/identityGovernance/accessReviews';

type DataKind = 'upload' | 'applyDecision' | 'accessAssignment';

/**
 * Discriminators of `data` as Entra writes them, with what each asks for: current types first, then the older ones the
 * template lists. The access assignment kind is older and its fields are not documented: acknowledged, never acted on.
 */
const DATA_TYPES: readonly (readonly [odataType: string, kind: DataKind])[] = [
  ['#microsoft.graph.customDataProvidedResourcePayloads.accessReviewContextData', 'upload'],
  ['#microsoft.graph.customDataProvidedResourceRequestAccessReviewDataCalloutData', 'upload'],
  ['#microsoft.graph.customDataProvidedResourcePayloads.applyDecisionContextData', 'applyDecision'],
  ['#microsoft.graph.customDataProvidedResourceApplyDecisionContextData', 'applyDecision'],
  ['#microsoft.graph.customDataProvidedResourceAccessAssignmentCalloutData', 'accessAssignment'],
];

export const ACCEPTED_DATA_TYPES = DATA_TYPES.map(([odataType]) => odataType);

/** Matched without '#' and case-insensitively. */
const normalized = (odataType: string): string => odataType.replace(/^#/, '').toLowerCase();
const KIND_BY_TYPE = new Map(DATA_TYPES.map(([odataType, kind]) => [normalized(odataType), kind]));

function kindOf(odataType: string): DataKind | undefined {
  return KIND_BY_TYPE.get(normalized(odataType));
}

const ids = ReviewUploadFieldsSchema.shape;

const envelopeSchema = z.object({
  source: z
    .string({ error: `required: "${CALLOUT_SOURCE}"` })
    .refine((source) => source.toLowerCase() === CALLOUT_SOURCE.toLowerCase(), `must be "${CALLOUT_SOURCE}" (an access review callout)`),
  catalogId: ids.catalogId,
  resourceId: ids.resourceId,
  data: z.object(
    {
      '@odata.type': z
        .string({ error: 'required: the callout kind' })
        .refine((type) => kindOf(type) !== undefined, `one of ${ACCEPTED_DATA_TYPES.join(', ')}`),
    },
    { error: 'required: an object with @odata.type, reviewDefinitionId and reviewInstanceId' },
  ),
});

const reviewContextSchema = z.object({ reviewDefinitionId: ids.reviewDefinitionId, reviewInstanceId: ids.reviewInstanceId });

export type CalloutRequest =
  | { kind: 'upload'; catalogId: string; resourceId: string; reviewDefinitionId: string; reviewInstanceId: string; dataType: string }
  | { kind: 'applyDecision' | 'accessAssignment'; catalogId: string; resourceId: string; dataType: string };

export interface CalloutFieldIssue {
  path: string;
  message: string;
}

export class InvalidCalloutError extends Error {
  override name = 'InvalidCalloutError';
  constructor(readonly issues: CalloutFieldIssue[]) {
    super(`Invalid callout body: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
  }
}

const issuesOf = (error: z.ZodError, prefix: string[] = []): CalloutFieldIssue[] =>
  error.issues.map((issue) => ({ path: [...prefix, ...issue.path.map(String)].join('.') || '(body)', message: issue.message }));

/** Parses a callout body; throws InvalidCalloutError naming each wrong field (e.g. `data.reviewInstanceId`). */
export function parseCallout(body: unknown): CalloutRequest {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) throw new InvalidCalloutError(issuesOf(envelope.error));
  const { catalogId, resourceId, data } = envelope.data;
  const dataType = data['@odata.type'];
  const kind = kindOf(dataType) ?? 'upload';
  if (kind !== 'upload') return { kind, catalogId, resourceId, dataType };
  const context = reviewContextSchema.safeParse(body !== null && typeof body === 'object' ? (body as { data: unknown }).data : undefined);
  if (!context.success) throw new InvalidCalloutError(issuesOf(context.error, ['data']));
  return { kind, catalogId, resourceId, dataType, ...context.data };
}
