import { labelKey } from './keys';

/*
 * What the flows and the Lambda wiring need of label storage, without the S3 client: a function that handles no
 * labels, or handles them only now and then, does not load S3 at its start by importing this.
 */

/** What the flows use of label storage: the S3 store (store.ts), or `unavailableLabels` in functions that handle no labels. */
export interface LabelStorage {
  readonly bucket: string;
  labelKey(tenant: string, ongoingOrderId: string | number, packageId: string | number, extension: string): string;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
}

export class LabelsUnavailableError extends Error {
  constructor(readonly bucket: string) {
    super(`This function has no label storage wired in (bucket ${bucket}): only the shipment and tracking functions handle labels`);
    this.name = 'LabelsUnavailableError';
  }
}

/**
 * Label storage for the functions that never handle labels: it keeps the S3 client out of their bundles
 * (size and cold start), and those functions have no S3 permission either, so a use is a wiring mistake and
 * says so instead of surfacing as an AccessDenied.
 */
export function unavailableLabels(bucket: string): LabelStorage {
  const refuse = (): Promise<never> => Promise.reject(new LabelsUnavailableError(bucket));
  return { bucket, labelKey, put: refuse, get: refuse, exists: refuse };
}

