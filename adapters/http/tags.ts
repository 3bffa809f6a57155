/** The OpenAPI tags: one per area of the API, in the order the document lists them. */
export const TAGS = {
  Catalog: '一张清单, 一次告知, 一表申请: the bundles of this city, their guides and merged forms. Public.',
  Materials: '一套材料: declare a file, upload its bytes to the presigned URL, check it was verified.',
  Cases: '一次提交, 进度查询, 补正: one application for a bundle, its progress and corrections.',
  Licenses: '一窗出件: the signed e-licenses of a case, and their public verification.',
  Departments: '一次分办, 并联审批: a department’s inbox, task detail and decision.',
  Supervision: '电子监察: overdue and at-risk work.',
  Evaluation:
    '好差评 and 12345: applicants rate a final case (a 差评 opens a rectification, 整改, with its 回访); consultations, complaints and suggestions about a case or a bundle, routed to the department answerable, answered by a deadline.',
  Webhooks:
    'A portal’s callback URLs: a thin, signed `case.status_changed` event (ids and statuses, no personal data) for every status change of its cases, at least once.',
  Meta: 'Health and this document.',
} as const;
export type Tag = keyof typeof TAGS;
