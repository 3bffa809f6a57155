/**
 * What issuing a case's licenses needs (core/licenses/issue.ts IssueLicensesDeps), wired once per
 * container: for Issue And Deliver Licenses (functions/issue-licenses.task.ts) and for the
 * stage's last decision that issues at once (functions/decide-task.handler.ts).
 */
import type { IssueLicensesDeps } from '#core/licenses/issue.ts';
import { catalog } from './catalog/file-catalog.ts';
import { caseWithLicenses } from './dynamodb/case-reads.ts';
import { caseRepository } from './dynamodb/case-repository.ts';
import { licenseStore } from './dynamodb/license-store.ts';
import { cityKeyer } from './identity/identifier-secret.ts';
import { licenseFiles } from './s3/license-files.ts';
import { signer } from './signing/signer.ts';

export async function issueDeps(): Promise<IssueLicensesDeps> {
  return {
    keyer: await cityKeyer(),
    cases: caseRepository,
    catalog: catalog(),
    files: licenseFiles,
    store: licenseStore,
    caseWithLicenses,
    signer,
    now: () => new Date(),
  };
}
