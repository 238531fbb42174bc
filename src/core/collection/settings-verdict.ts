/**
 * verify's collection-level proof: the target collection shows the embedding function, space,
 * HNSW parameters and schema switches that importing this backup into this server should give.
 * The expectation is the import's own plan, so a difference the target could never hold (a
 * SPANN setting, a Cloud-only index) is not held against it; it is listed as left out instead.
 */
import type { CollectionHeader } from '../model/record.js';
import type { CollectionInfo } from '../chroma/api.js';
import type { ServerModel } from '../chroma/capabilities.js';
import { appNeeds, type AppNeeds } from './app-needs.js';
import { compareWithPlan, factsOf, type CollectionDifference } from './compare.js';
import { planCollection, spaceUnknown, type LeftOut } from './plan.js';
import { isObject } from './shape.js';

export interface CollectionSettingsVerdict {
  differences: CollectionDifference[];
  leftOut: LeftOut[];
  /** The backup did not record a space; the target's is taken as the answer given at import. */
  spaceUnrecorded: boolean;
  /** What the app needs for the embedding function the target collection now has. */
  app: AppNeeds | null;
}

export function checkCollectionSettings(
  header: CollectionHeader,
  info: CollectionInfo,
  server: ServerModel,
  options: { cloud?: boolean } = {},
): CollectionSettingsVerdict {
  const plan = planCollection(header, server, options);
  return {
    differences: compareWithPlan(plan, info, { looseNumbers: header.untypedSettings === true, settingsRecorded: isObject(header.configuration) || isObject(header.schema) }),
    leftOut: plan.leftOut,
    spaceUnrecorded: spaceUnknown(header),
    app: appNeeds(factsOf(info).embeddingFunction),
  };
}
