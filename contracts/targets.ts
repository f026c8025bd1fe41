/**
 * Upload targets: which custom data provided resources this deployment feeds, from which data, for which access
 * reviews. Read from UPLOAD_TARGETS_FILE (YAML or JSON; schema in client/targets.ts) by every trigger: the
 * review-cycle workflow (via its schedule's arguments), the Entra callout receiver, and the sweeper.
 */
import type { ReviewUploadInput, ReviewUploadOptions, UploadSource } from './review-upload';

export interface UploadTarget {
  /** A short name for people, logs and schedule ids, e.g. `ledger`. */
  name: string;
  catalogId: string;
  resourceId: string;
  /** The access review definitions whose instances need this resource's data. */
  reviewDefinitionIds: string[];
  /** Where each run's files come from (a mapping file on the workers' volume, as a rule). */
  source: UploadSource;
  options?: ReviewUploadOptions;
}

/** The upload run's input for one review instance of a target: what every trigger (cycle, callout) starts. */
export function uploadInputOf(target: UploadTarget, reviewDefinitionId: string, reviewInstanceId: string): ReviewUploadInput {
  return {
    catalogId: target.catalogId,
    resourceId: target.resourceId,
    reviewDefinitionId,
    reviewInstanceId,
    source: target.source,
    ...(target.options === undefined ? {} : { options: target.options }),
  };
}
