/**
 * Shared data (共享数据) in the single table: registry records, e-licences and materials from
 * earlier cases, each under its holder's hashed identifier (keys.shared). The identifier itself
 * never appears in a key; the record may hold it, as the government's registry does.
 *
 * | what                                   | pk                                   | sk                       |
 * |----------------------------------------|--------------------------------------|--------------------------|
 * | population registry record (a person)  | SHARED#population#<sha256(idNumber)> | RECORD                   |
 * | legal-person registry record           | SHARED#legalPerson#<sha256(uscc)>    | RECORD                   |
 * | e-licences held (person or organisation)| SHARED#license#<sha256(identifier)> | LICENSE#<licenseType>    |
 * | files from the holder's earlier cases  | SHARED#earlierCase#<sha256(identifier)> | MATERIAL#<materialType> |
 *
 * One lookup is three reads in parallel (GetItem + two Queries). Items are parsed with zod; an item
 * that does not parse is skipped with a warning (by its sort key only), so one bad licence from a
 * feeding system does not cost the applicant the rest.
 */
import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type {
  EarlierMaterial,
  HeldLicense,
  PrefillApplicant,
  SharedDataPort,
  SharedRecords,
} from '#core/catalog/prefill.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { keys } from './keys.ts';
import { send } from './send.ts';

export type SharedSource = 'population' | 'legalPerson' | 'license' | 'earlierCase';

/** The only form in which an identifier reaches a key. */
export const hashIdentifier = (identifier: string) => createHash('sha256').update(identifier).digest('hex');

const pkOf = (source: SharedSource, identifier: string) => keys.shared(source, hashIdentifier(identifier));

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const AttributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const RecordItem = z.object({
  type: z.literal('sharedRecord'),
  source: z.enum(['population', 'legalPerson']),
  attributes: AttributesSchema,
  updatedAt: z.string(),
});

const LicenseItem = z.object({
  type: z.literal('eLicense'),
  licenseId: z.string().min(1),
  licenseType: z.string().min(1),
  number: z.string().min(1),
  issuer: z.string().min(1),
  issuedAt: date,
  validUntil: date.optional(),
  attributes: AttributesSchema.default({}),
});

const EarlierMaterialItem = z.object({
  type: z.literal('earlierMaterial'),
  materialType: z.string().min(1),
  reference: z.string().min(1),
  submittedAt: z.string(),
});

// ---- item builders (the seeding and any feeding job write exactly these shapes) ----

export function registryRecordItem(
  source: 'population' | 'legalPerson',
  identifier: string,
  attributes: z.input<typeof AttributesSchema>,
  updatedAt = new Date().toISOString(),
): Record<string, unknown> {
  return {
    pk: pkOf(source, identifier),
    sk: 'RECORD',
    ...RecordItem.parse({ type: 'sharedRecord', source, attributes, updatedAt }),
  };
}

export function eLicenseItem(holder: string, license: HeldLicense): Record<string, unknown> {
  return {
    pk: pkOf('license', holder),
    sk: `LICENSE#${license.licenseType}`,
    ...LicenseItem.parse({ type: 'eLicense', ...license }),
  };
}

export function earlierMaterialItem(holder: string, material: EarlierMaterial): Record<string, unknown> {
  return {
    pk: pkOf('earlierCase', holder),
    sk: `MATERIAL#${material.materialType}`,
    ...EarlierMaterialItem.parse({ type: 'earlierMaterial', ...material }),
  };
}

// ---- the read port ----

function parsed<T extends z.ZodType>(schema: T, items: readonly Record<string, unknown>[]): z.output<T>[] {
  const out: z.output<T>[] = [];
  for (const item of items) {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    // The sort key names the kind of item only (RECORD, LICENSE#<type>…): nothing personal.
    else logger.warn('skipped an unreadable shared-data item', { sk: String(item.sk), issues: r.error.issues.length });
  }
  return out;
}

async function queryAll(pk: string, skPrefix: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: config().TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return items;
}

export const sharedData: SharedDataPort = {
  async lookup(applicant: PrefillApplicant): Promise<SharedRecords> {
    const [source, identifier] =
      applicant.kind === 'person'
        ? (['population', applicant.idNumber] as const)
        : (['legalPerson', applicant.uscc] as const);
    const [record, licenses, earlier] = await Promise.all([
      send<{ Item?: Record<string, unknown> }>(
        new GetCommand({ TableName: config().TABLE_NAME, Key: { pk: pkOf(source, identifier), sk: 'RECORD' } }),
      ),
      queryAll(pkOf('license', identifier), 'LICENSE#'),
      queryAll(pkOf('earlierCase', identifier), 'MATERIAL#'),
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
