/** Request shapes shared by the catalog routes (zod at the trust boundary). */
import * as z from 'zod';

export const BundleParams = z.object({ bundleId: z.string().min(1).max(100) });

/** `?services=a,b` — omitted means the whole bundle. */
export const ServicesQuery = z.object({
  services: z
    .string()
    .max(2000)
    .optional()
    .transform((v) =>
      v === undefined
        ? undefined
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    ),
});
