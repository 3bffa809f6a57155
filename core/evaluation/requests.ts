/** Path parameters of the evaluation routes (the handlers parse with them; the document publishes them). */
import * as z from 'zod';

export const InquiryParams = z.object({
  inquiryId: z
    .string()
    .min(1)
    .max(100)
    .meta({ examples: ['q-0000000000000000000000000a'] }),
});

export const RectificationParams = z.object({
  rectificationId: z
    .string()
    .min(1)
    .max(200)
    .describe('`<caseId>.rect.<departmentId>`: one per case and department.')
    .meta({ examples: ['c-0000000000000000000000000a.rect.market-regulation'] }),
});
