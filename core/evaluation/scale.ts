/**
 * 好差评: the national five-level satisfaction scale of government services, as data. A score of
 * 不满意 or worse is a 差评: it opens a rectification (整改) for the department it is about.
 */
export const SATISFACTION_SCALE = [
  { score: 5, label: '非常满意' },
  { score: 4, label: '满意' },
  { score: 3, label: '基本满意' },
  { score: 2, label: '不满意' },
  { score: 1, label: '非常不满意' },
] as const;

export type Score = (typeof SATISFACTION_SCALE)[number]['score'];
export type ScoreLabel = (typeof SATISFACTION_SCALE)[number]['label'];

/** The label of a score of the scale (非常满意 … 非常不满意). */
export function labelOf(score: Score): ScoreLabel {
  return SATISFACTION_SCALE.find((s) => s.score === score)!.label;
}

/** Scores at or below this are 差评 (不满意, 非常不满意). */
export const BAD_SCORE_MAX = 2;

export const isBadScore = (score: number): boolean => score <= BAD_SCORE_MAX;

/** 整改: a department rated 差评 rectifies within this many working days (then it is overdue). */
export const RECTIFICATION_WORKING_DAYS = 5;

/**
 * 12345: the response deadline of an inquiry in working days, by kind. The seed documents name no
 * figures (they ask for 一口式、一站式回应); these follow common 12345 practice: a consultation is
 * answered by the next working day, a complaint within 5, a suggestion within 10.
 */
export const INQUIRY_WORKING_DAYS = { consultation: 1, complaint: 5, suggestion: 10 } as const;
