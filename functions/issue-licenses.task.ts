/** Task: 一窗出件 — sign and store the e-license of every approved service (random id, printed verification code), idempotently. */
import * as z from 'zod/mini';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseWithLicenses } from '#adapters/dynamodb/case-reads.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { licenseStore } from '#adapters/dynamodb/license-store.ts';
import { cityKeyer } from '#adapters/identity/identifier-secret.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { licenseFiles } from '#adapters/s3/license-files.ts';
import { signer } from '#adapters/signing/signer.ts';
import { issueLicenses } from '#core/licenses/issue.ts';

const Input = z.object({
  caseId: z.string().check(z.minLength(1), z.maxLength(100)),
  approved: z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.maxLength(50)),
});

export const handler = makeTaskHandler(Input, async (input) =>
  issueLicenses(
    {
      keyer: await cityKeyer(),
      cases: caseRepository,
      catalog: catalog(),
      files: licenseFiles,
      store: licenseStore,
      caseWithLicenses,
      signer,
      now: () => new Date(),
    },
    input,
  ),
);
