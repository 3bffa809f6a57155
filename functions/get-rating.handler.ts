/** GET /v1/cases/{caseId}/rating — the case's rating (好差评) and its rectifications, or that it has none yet. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CaseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, RatingSchema } from '#adapters/http/schemas.ts';
import { ownCase } from '#core/case/ownership.ts';
import type { RectificationRecord } from '#core/evaluation/model.ts';
import { ratable } from '#core/evaluation/rating.ts';
import { ratingView } from '#core/evaluation/views.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'get-rating',
  method: 'GET',
  path: '/v1/cases/{caseId}/rating',
  caller: 'applicant',
  summary: 'The case’s rating (好差评), or whether it may be rated now',
  description:
    'Unrated: `rated: false`, with `ratable: true` once the case is final (show the form) and the scale’s labels. Rated: the scores with their labels, the comment, and each rectification (整改) the rating opened with its status. Example: `GET /v1/cases/c-…/rating` → `{"caseId":"c-…","rated":true,"overall":2,"overallLabel":"不满意",…}`.',
  tags: ['Evaluation'],
  params: CaseParams,
  responses: { 200: { description: 'The rating, or none yet.', schema: component('Rating', RatingSchema) } },
  problems: { 404: 'No such case of this portal and applicant.' },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  const record = ownCase(await caseRepository.get(params.caseId), caller);
  if (!record) throw new NotFoundError(`There is no case "${params.caseId}" of yours.`);
  const rating = await evaluationStore.getRating(record.caseId);
  const rectifications = rating
    ? (await Promise.all(rating.rectificationIds.map((id) => evaluationStore.getRectification(id)))).filter(
        (r): r is RectificationRecord => r !== undefined,
      )
    : [];
  return {
    status: 200,
    body: ratingView(catalog(), record.caseId, rating, rectifications, ratable(record, rating)),
    headers: { 'cache-control': 'no-store' },
  };
});
