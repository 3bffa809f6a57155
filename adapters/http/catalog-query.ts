/**
 * The query of the catalog routes for chosen services, parsed at run time (so it is no
 * documentation-only schema: adapters/http/schemas.lambda.ts hands it to the Lambdas as it is).
 * A module of its own, so a catalog route carries none of the case model.
 */
import * as z from 'zod/mini';

/**
 * `?services=a,b` of the catalog routes (guide, form, metrics), documented once: a list of service
 * ids sent comma-separated (OpenAPI style form, explode false), split before it is checked.
 */
export const ChosenServicesQuery = /* @__PURE__ */ (() =>
  z.object({
    services: z
      .optional(
        z.pipe(
          z.transform((v) =>
            typeof v === 'string'
              ? v
                  .split(',')
                  .map((id) => id.trim())
                  .filter(Boolean)
              : v,
          ),
          z
            .array(z.string().check(z.minLength(1), z.maxLength(100)))
            .check(
              z.maxLength(50),
              z.meta({ examples: [['enterprise-establishment-registration', 'company-seal-filing']] }),
            ),
        ),
      )
      .check(z.describe('The chosen services’ ids, comma-separated; omitted means the whole bundle.')),
  }))();
