/**
 * The shared-data read port (共享数据自动调用): one applicant's registry record, e-licenses and
 * earlier-case materials, looked up by the hash of their identifier (layout in shared-data-items.ts).
 * One lookup is three reads in parallel (GetItem + two Queries). Items are parsed with zod; an item
 * that does not parse is skipped with a warning naming only its sort key, so one bad license from a
 * feeding system does not cost the applicant the rest.
 */

import * as z from 'zod/mini';
import type { PrefillApplicant, SharedDataPort, SharedRecords } from '#core/catalog/prefill.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { GetCommand } from './commands.ts';
import { queryPartition, send } from './send.ts';
import { EarlierMaterialItem, LicenseItem, pkOf, RecordItem } from './shared-data-items.ts';

// ---- the read port ----

function parsed<T extends z.core.$ZodType>(
  schema: T,
  items: readonly Record<string, unknown>[],
): z.output<T>[] {
  const out: z.output<T>[] = [];
  for (const item of items) {
    const r = z.safeParse(schema, item);
    if (r.success) out.push(r.data);
    // The sort key names the kind of item only (RECORD, LICENSE#<type>…): nothing personal.
    else
      logger.warn('skipped an unreadable shared-data item', {
        sk: String(item.sk),
        issues: r.error.issues.length,
      });
  }
  return out;
}

export const sharedData: SharedDataPort = {
  async lookup(applicant: PrefillApplicant): Promise<SharedRecords> {
    const [source, identifier] =
      applicant.kind === 'person'
        ? (['population', applicant.idNumber] as const)
        : (['legalPerson', applicant.uscc] as const);
    const [record, licenses, earlier] = await Promise.all([
      send<{ Item?: Record<string, unknown> }>(
        new GetCommand({
          TableName: config().TABLE_NAME,
          Key: { pk: pkOf(source, identifier), sk: 'RECORD' },
        }),
      ),
      queryPartition(pkOf('license', identifier), { skPrefix: 'LICENSE#' }),
      queryPartition(pkOf('earlierCase', identifier), { skPrefix: 'MATERIAL#' }),
    ]);
    const registry = parsed(RecordItem, record.Item ? [record.Item] : [])[0];
    return {
      ...(registry && registry.source === source
        ? { registry: { source: registry.source, attributes: registry.attributes } }
        : {}),
      licenses: parsed(LicenseItem, licenses),
      earlierMaterials: parsed(EarlierMaterialItem, earlier),
    };
  },
};
