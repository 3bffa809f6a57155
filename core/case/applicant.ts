/**
 * Who applies and how the results reach them: the applicant (a person by resident ID number, an
 * organisation by unified social credit code) and the delivery method, as a case records them.
 * Apart from the application's check (application.ts), so what reads cases back does not carry it.
 */
import * as z from 'zod/mini';
import { ID_NUMBER_PATTERN, isValidIdNumber, isValidUscc, USCC_PATTERN } from '../shared/identifiers.ts';

// Each schema is built by a call marked /* @__PURE__ */: a Lambda bundle that imports this module
// and never uses a schema drops it, and builds nothing of it at init (esbuild removes an unused
// pure call; a bare z.object(…) it must keep, issue #14).
const phone = /* @__PURE__ */ (() =>
  z.string().check(z.regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, 'not a phone number')))();
const idNumber = /* @__PURE__ */ (() =>
  z.string().check(
    z.refine(isValidIdNumber, {
      message: 'not a valid resident ID number (GB 11643 check digit)',
      params: { code: 'invalid_idNumber' },
    }),
    z.meta({
      pattern: ID_NUMBER_PATTERN,
      description:
        'Resident ID number (居民身份证号码, GB 11643): 17 digits and a check character (a digit or X), with a valid birth date.',
      examples: ['320402199203154625'],
    }),
  ))();
const uscc = /* @__PURE__ */ (() =>
  z.string().check(
    z.refine(isValidUscc, {
      message: 'not a valid unified social credit code (GB 32100 check character)',
      params: { code: 'invalid_uscc' },
    }),
    z.meta({
      pattern: USCC_PATTERN,
      description:
        'Unified social credit code (统一社会信用代码, GB 32100): 18 characters, the last a check character.',
      examples: ['91320402MA27QK3L8L'],
    }),
  ))();

export const ApplicantSchema = /* @__PURE__ */ (() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('person'),
      name: z.string().check(z.minLength(1), z.maxLength(50)),
      idNumber,
      phone,
    }),
    z.object({
      kind: z.literal('organisation'),
      name: z.string().check(z.minLength(1), z.maxLength(100)),
      uscc,
      phone,
      contactName: z.optional(z.string().check(z.minLength(1), z.maxLength(50))),
    }),
  ]))();
export type Applicant = z.infer<typeof ApplicantSchema>;

export const AddressSchema = /* @__PURE__ */ (() =>
  z.object({
    recipient: z.string().check(z.minLength(1), z.maxLength(50)),
    phone,
    province: z.optional(z.string().check(z.maxLength(20))),
    city: z.string().check(z.minLength(1), z.maxLength(20)),
    district: z.optional(z.string().check(z.maxLength(20))),
    line: z.string().check(z.minLength(1), z.maxLength(200)),
    postalCode: z.optional(z.string().check(z.regex(/^\d{6}$/))),
  }))();

export const DeliverySchema = /* @__PURE__ */ (() =>
  z.discriminatedUnion('method', [
    z.object({ method: z.literal('electronic') }),
    z.object({ method: z.literal('pickup'), office: z.optional(z.string().check(z.maxLength(100))) }),
    z.object({ method: z.literal('courier'), address: AddressSchema }),
  ]))();
export type Delivery = z.infer<typeof DeliverySchema>;
