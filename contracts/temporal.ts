import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributePair } from '@temporalio/common';

/** The task queue every worker of this project polls and every run is started on. */
export const TASK_QUEUE = 'entra-review-upload';

/**
 * Typed search attributes that ops filter on in the Web UI. The dev stack and the test harness register them at
 * server start; a self-hosted cluster or Temporal Cloud needs them created once (see docs/operations.md).
 */
export const SearchAttributes = {
  reviewInstanceId: defineSearchAttributeKey('ReviewInstanceId', SearchAttributeType.KEYWORD),
  catalogId: defineSearchAttributeKey('CatalogId', SearchAttributeType.KEYWORD),
  resourceId: defineSearchAttributeKey('ResourceId', SearchAttributeType.KEYWORD),
  uploadSessionId: defineSearchAttributeKey('UploadSessionId', SearchAttributeType.KEYWORD),
  uploadPhase: defineSearchAttributeKey('UploadPhase', SearchAttributeType.KEYWORD),
  uploadOutcome: defineSearchAttributeKey('UploadOutcome', SearchAttributeType.KEYWORD),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SearchAttributes);

/** The search attributes an upload run starts with, whoever starts it (person, review cycle, callout). */
export function uploadRunSearchAttributes(ids: { reviewInstanceId: string; catalogId: string; resourceId: string }): SearchAttributePair[] {
  return [
    { key: SearchAttributes.reviewInstanceId, value: ids.reviewInstanceId },
    { key: SearchAttributes.catalogId, value: ids.catalogId },
    { key: SearchAttributes.resourceId, value: ids.resourceId },
  ];
}

/** `NAME=Type` arguments for `temporal server start-dev --search-attribute`. */
export function searchAttributeCliArgs(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' };
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type] ?? 'Keyword'}`]);
}
