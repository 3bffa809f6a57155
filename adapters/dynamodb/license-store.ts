/**
 * License records, twice, written in one transaction and never updated (a license is immutable):
 * - in the case's partition (pk CASE#<caseId>, sk LICENSE#<serviceId>), so the case view reads
 *   them in its one Query, and one license per approved service is a conditional write on its key
 *   — a retried issue finds the service's license there and cannot record a second one;
 * - under the license's own random id (pk LICENSE#<licenseId>), so verification finds it by the
 *   id printed on it. The id says nothing about the case: that is in the record, behind the code.
 * Each carries the manifest its signature covers (core/licenses/manifest.ts): the entries of the
 * licenses signed together, 64 characters each — at most 3.2 KB for the 50 licenses of an attempt.
 */

import { canonicalJson } from '#core/case/model.ts';
import { type IssuedLicense, IssuedLicenseSchema, type LicenseStore } from '#core/licenses/ports.ts';
import { config } from '../config.ts';
import { GetCommand, TransactWriteCommand } from './commands.ts';
import { keys } from './keys.ts';
import { licenseItems, licenseKeys } from './license-items.ts';
import { isConditionFailure, queryPartition, send } from './send.ts';

const table = () => config().TABLE_NAME;

export { licenseKeys };

const FIELDS = Object.keys(IssuedLicenseSchema.shape) as (keyof IssuedLicense)[];
/** Field by field, by value: the manifest is a list, read back as a new one. */
const same = (a: IssuedLicense, b: IssuedLicense) =>
  FIELDS.every((f) => canonicalJson(a[f]) === canonicalJson(b[f]));

async function getItem(key: { pk: string; sk: string }): Promise<IssuedLicense | undefined> {
  const r = await send<{ Item?: Record<string, unknown> }>(
    new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
  );
  return r.Item ? IssuedLicenseSchema.parse(r.Item) : undefined;
}

/** What one transaction may hold (DynamoDB: 100 items), in licenses. */
const LICENSES_PER_TRANSACTION = 50;

export const licenseStore: LicenseStore = {
  async putAll(licenses) {
    if (licenses.length === 0) return [];
    if (licenses.length === 1 || licenses.length > LICENSES_PER_TRANSACTION)
      return Promise.all(licenses.map((l) => this.put(l)));
    try {
      await send(new TransactWriteCommand({ TransactItems: licenses.flatMap(licenseItems) }));
      return licenses.map((stored) => ({ created: true, stored }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Some service has its license already (a retry, or a race): settle them one by one.
      return Promise.all(licenses.map((l) => this.put(l)));
    }
  },

  async put(license) {
    try {
      await send(new TransactWriteCommand({ TransactItems: licenseItems(license) }));
      return { created: true, stored: license };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Identical: our own write, retried by the SDK after its response was lost — a success.
      // Different: another attempt recorded the service's license first; that one stands.
      const stored = await getItem(licenseKeys.ofService(license.caseId, license.serviceId));
      if (!stored) throw err;
      return { created: same(stored, license), stored };
    }
  },

  async listForCase(caseId) {
    const items = await queryPartition(keys.casePk(caseId), { skPrefix: 'LICENSE#', consistent: true });
    return items.map((i) => IssuedLicenseSchema.parse(i));
  },

  get: (licenseId) => getItem(licenseKeys.byId(licenseId)),
};
