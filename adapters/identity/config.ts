/**
 * Moved into the one configuration module (adapters/config.ts, section "identity provider");
 * kept as a re-export until its importers (local/identity/provider.ts, the identity int test) switch.
 */
export {
  type ClaimNames,
  claimNamesSchema,
  type IdentityConfig,
  identityConfig,
  identityEnv,
  identityEnvSchema,
  parseIdentityConfig,
} from '../config.ts';
