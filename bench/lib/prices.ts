/**
 * Public on-demand LIST prices used by bench/cost.ts — written down from AWS's pricing pages as we
 * knew them on the date below, NOT fetched: check them before quoting a figure, and add a region by
 * adding an entry. Free tiers, savings plans and volume tiers are ignored (first tier only).
 *
 * China regions (cn-north-1 Beijing / cn-northwest-1 Ningxia, priced in CNY by Sinnet / NWCD) are
 * not included: we had no verified list prices for them at hand. Add them here from
 * https://www.amazonaws.cn/en/pricing/ and the benchmark prints them too.
 */
export interface PriceList {
  region: string;
  currency: 'USD' | 'CNY';
  /** When these numbers were written down (not a guarantee that they are still current). */
  asOf: string;
  /** Step Functions Standard, per state transition. */
  sfnTransition: number;
  /** Lambda, per request. */
  lambdaRequest: number;
  /** Lambda arm64, per GB-second. */
  lambdaGbSecondArm: number;
  /** DynamoDB on-demand, per write request unit. */
  dynamoWru: number;
  /** DynamoDB on-demand, per read request unit. */
  dynamoRru: number;
  /** S3 Standard PUT, COPY, POST, LIST — per request. */
  s3PutClass: number;
  /** S3 Standard GET, HEAD and other reads — per request. */
  s3GetClass: number;
  /** API Gateway REST API, per request (first 333 million a month). */
  apiGatewayRestRequest: number;
  /** KMS asymmetric (ECC) Sign, per request. */
  kmsAsymmetricRequest: number;
  /** SQS standard queue, per request (64 KB chunk). */
  sqsRequest: number;
  sources: string[];
}

export const PRICES: PriceList[] = [
  {
    region: 'us-east-1',
    currency: 'USD',
    asOf: '2025 (list prices as known to us; to be checked)',
    sfnTransition: 0.025 / 1000,
    lambdaRequest: 0.2 / 1_000_000,
    lambdaGbSecondArm: 0.0000133334,
    // DynamoDB on-demand after AWS's November 2024 price reduction.
    dynamoWru: 0.625 / 1_000_000,
    dynamoRru: 0.125 / 1_000_000,
    s3PutClass: 0.005 / 1000,
    s3GetClass: 0.0004 / 1000,
    apiGatewayRestRequest: 3.5 / 1_000_000,
    kmsAsymmetricRequest: 0.15 / 10_000,
    sqsRequest: 0.4 / 1_000_000,
    sources: [
      'https://aws.amazon.com/step-functions/pricing/',
      'https://aws.amazon.com/lambda/pricing/',
      'https://aws.amazon.com/dynamodb/pricing/on-demand/',
      'https://aws.amazon.com/s3/pricing/',
      'https://aws.amazon.com/api-gateway/pricing/',
      'https://aws.amazon.com/kms/pricing/',
      'https://aws.amazon.com/sqs/pricing/',
    ],
  },
];

/** Lambda memory of every function (infra/constructs/handler-function.ts: memorySize default 512). */
export const LAMBDA_MEMORY_GB = 0.5;
