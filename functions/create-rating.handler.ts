/** POST /v1/cases/{caseId}/rating — the applicant rates a final case (好差评); a 差评 opens a rectification. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CaseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, RatingSchema } from '#adapters/http/schemas.ts';
import { RatingRequestSchema, rateCase } from '#core/evaluation/rating.ts';
import { ratingView } from '#core/evaluation/views.ts';

export const route = defineRoute({
  name: 'create-rating',
  method: 'POST',
  path: '/v1/cases/{caseId}/rating',
  caller: 'applicant',
  summary: 'Rate a final case (好差评): the bundle as a whole and, optionally, each department',
  description:
    'Once the case is issued, rejected or withdrawn, its applicant rates it once on the national five-level scale (5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意); the rating cannot be changed. A score of 2 or less — overall (answered for by the lead department) or a department’s — opens a rectification (整改) for that department, due in 5 working days, in the same transaction. Example: `{"overall": 2, "departments": [{"departmentId": "market-regulation", "score": 2}], "comment": "窗口等候时间过长"}`.',
  tags: ['Evaluation'],
  params: CaseParams,
  body: { schema: component('RatingRequest', RatingRequestSchema), description: 'The scores and a comment.' },
  responses: { 201: { description: 'Rated.', schema: component('Rating', RatingSchema) } },
  problems: {
    404: 'No such case of this portal and applicant.',
    409: 'The case is rated already.',
    422: 'The case is not final yet (`case_not_final`), or a department scored did not work on it (`department_not_involved`) or is scored twice.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ params, body, caller }) => {
  const index = catalog();
  const { rating, rectifications } = await rateCase(
    {
      cases: caseRepository,
      store: evaluationStore,
      catalog: index,
      places: places(),
      now: () => new Date(),
    },
    { caller, caseId: params.caseId, request: body },
  );
  return { status: 201, body: ratingView(index, rating.caseId, rating, rectifications, false) };
});
