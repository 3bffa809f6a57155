/**
 * Names shared by the local identity provider and its clients (the token command, the local
 * stack), in a module that does not load the provider itself.
 */

/** The scope of API access an applicant's token carries; the identity claims come with it. */
export const API_SCOPE = 'applicant';
/** The city's portals' public client (authorization code + PKCE, no secret). */
export const PORTAL_CLIENT_ID = 'yijianshi-portal';
/** The provider's own page a sign-in lands on when no portal is waiting for it. */
export const SIGNED_IN_PATH = '/signed-in';
/** The API's resource indicator and the `aud` of its access tokens. */
export const apiAudience = (city: string): string => `urn:yijianshi:${city}:api`;
