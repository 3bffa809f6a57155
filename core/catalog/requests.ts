/** Request shapes shared by the catalog routes (zod at the trust boundary). */
import * as z from 'zod/mini';

export const BundleParams = /* @__PURE__ */ (() =>
  z.object({ bundleId: z.string().check(z.minLength(1), z.maxLength(100)) }))();

/** `?services=a,b` — omitted means the whole bundle. */
export const ServicesQuery = /* @__PURE__ */ (() =>
  z.object({
    services: z.pipe(
      z.optional(z.string().check(z.maxLength(2000))),
      z.transform((v) =>
        v === undefined
          ? undefined
          : v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      ),
    ),
  }))();
