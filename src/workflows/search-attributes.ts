import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes, so the Temporal UI and `temporal workflow list --query` can filter syncs and
// pipelines. A server must know them first (the test environment registers them):
//   temporal operator search-attribute create --name AirbyteConnectionId --type Keyword   (and so on)
// Workflows set them only when asked (`searchAttributes: true`), so nothing fails on a server without them.
export const AirbyteSearchAttributes = {
  connectionId: defineSearchAttributeKey('AirbyteConnectionId', SearchAttributeType.KEYWORD),
  instance: defineSearchAttributeKey('AirbyteInstance', SearchAttributeType.KEYWORD),
  jobId: defineSearchAttributeKey('AirbyteJobId', SearchAttributeType.INT),
  jobStatus: defineSearchAttributeKey('AirbyteJobStatus', SearchAttributeType.KEYWORD),
  pipeline: defineSearchAttributeKey('AirbytePipeline', SearchAttributeType.KEYWORD),
} as const;

export const AIRBYTE_SEARCH_ATTRIBUTE_KEYS = Object.values(AirbyteSearchAttributes);
