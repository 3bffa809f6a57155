/** Path parameters of the evaluation routes (the handlers parse with them; the document publishes them). */
import * as z from 'zod/mini';

export const InquiryParams = /* @__PURE__ */ (() =>
  z.object({
    inquiryId: z
      .string()
      .check(z.minLength(1), z.maxLength(100), z.meta({ examples: ['q-0000000000000000000000000a'] })),
  }))();

export const RectificationParams = /* @__PURE__ */ (() =>
  z.object({
    rectificationId: z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(200),
        z.describe('`<caseId>.rect.<departmentId>`: one per case and department.'),
        z.meta({ examples: ['c-0000000000000000000000000a.rect.market-regulation'] }),
      ),
  }))();
