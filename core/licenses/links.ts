/**
 * The licenses as the applicant is given them (一窗出件): each with a short-lived link to its signed
 * document — and, for a license issued before its data was embedded, to its data file. The same
 * list in the case view and in GET /v1/cases/{caseId}/licenses.
 */
import type { LicenseRecord } from '../case/ports.ts';
import type { LicenseFiles } from './ports.ts';

export interface LicenseLink {
  readonly id: string;
  readonly serviceId: string;
  readonly name: string;
  readonly issuedAt: string;
  readonly downloadUrl: string;
  /** Only licenses issued before their data was embedded in the document. */
  readonly dataUrl?: string;
}

export function licensesWithLinks(
  files: Pick<LicenseFiles, 'downloadUrl'>,
  licenses: readonly LicenseRecord[],
): Promise<LicenseLink[]> {
  return Promise.all(
    licenses.map(async (l) => ({
      id: l.licenseId,
      serviceId: l.serviceId,
      name: l.name,
      issuedAt: l.issuedAt,
      downloadUrl: await files.downloadUrl(l.documentKey),
      ...(l.dataKey ? { dataUrl: await files.downloadUrl(l.dataKey) } : {}),
    })),
  );
}
