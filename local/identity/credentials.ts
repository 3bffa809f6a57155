/**
 * What `npm start` writes to .local/credentials.json about applicants (API contract, "Applicants"):
 * every demo applicant with a ready token, obtained through the real sign-in flow, and where the
 * identity provider is (so `npm run applicant-token` can get fresh ones).
 */
import type { AssuranceLevel } from '#core/identity/applicant.ts';
import type { IdentityProvider } from './provider.ts';

export interface ApplicantCredential {
  readonly id: string;
  readonly kind: 'person' | 'organisation';
  readonly name: string;
  readonly idNumber?: string;
  readonly uscc?: string;
  /** For an organisation: who signs in for it, and as what. */
  readonly actingPerson?: { readonly name: string; readonly idNumber: string; readonly role: string };
  readonly assurance: AssuranceLevel;
  readonly token: string;
}

export interface IdentityProviderCredential {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

/** One token per demo applicant, signed in one after another (the provider is in this process). */
export async function applicantCredentials(idp: IdentityProvider): Promise<ApplicantCredential[]> {
  const out: ApplicantCredential[] = [];
  for (const a of idp.applicants) {
    const token = await idp.tokenFor(a.id);
    out.push({
      id: a.id,
      kind: a.kind,
      name: a.name,
      ...(a.kind === 'person' ? { idNumber: a.person.idNumber } : {}),
      ...(a.organisation
        ? {
            uscc: a.organisation.uscc,
            actingPerson: { name: a.person.name, idNumber: a.person.idNumber, role: a.organisation.role },
          }
        : {}),
      assurance: a.assurance,
      token,
    });
  }
  return out;
}

export function identityProviderCredential(idp: IdentityProvider): IdentityProviderCredential {
  return {
    issuer: idp.issuer,
    jwksUri: idp.jwksUri,
    audience: idp.audience,
    clientId: idp.portalClientId,
    redirectUri: idp.redirectUri,
  };
}
