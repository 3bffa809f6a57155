/**
 * Moved into the one configuration module (adapters/config.ts, section "webhook delivery");
 * kept as a re-export until its importers (functions/*webhook*, local/webhook-dispatcher.ts) switch.
 */
export { retryPolicy, type WebhookConfig, webhookConfig } from '../config.ts';
