import type { OngoingClient } from '../ongoing/client';
import { OngoingTransientError } from '../ongoing/errors';
import type { PrintingInfo } from '../ongoing/schemas';

/**
 * Puts a package's label on the Ongoing order: one file per package however often Send is pressed or a call
 * is retried. With printing configured it must go through an operation whose model carries printingInfo
 * (POST, or PUT by id to replace); the by-name PUT has none (Ongoing drops it, nothing prints). POST always
 * adds a file, so the order's files are looked at first and ours (by its stable name) replaced by id.
 * Without printing, the by-name PUT does the same in one call.
 */

export interface LabelFile {
  fileName: string;
  mimeType: string;
  dataBase64: string;
  printingInfo?: PrintingInfo;
}

export interface LabelUploadResult {
  fileId: number;
  how: 'put-by-name' | 'post' | 'put-by-id' | 'post-answer-lost';
}

/**
 * `existing`: the order's file list when the caller already read it (alongside other reads); read here
 * otherwise.
 */
export async function attachLabel(
  ongoing: Pick<OngoingClient, 'putOrderFile' | 'postOrderFile' | 'putOrderFileById' | 'getOrderFiles'>,
  ongoingOrderId: number,
  file: LabelFile,
  existing?: ReadonlyArray<{ fileId: number; fileName?: string | null }>,
): Promise<LabelUploadResult> {
  const content = { mimeType: file.mimeType, dataBase64: file.dataBase64 };
  if (!file.printingInfo) {
    const { fileId } = await ongoing.putOrderFile(ongoingOrderId, file.fileName, content);
    return { fileId, how: 'put-by-name' };
  }
  const withPrinting = { ...content, printingInfo: file.printingInfo };
  const files = existing ?? (await ongoing.getOrderFiles(ongoingOrderId));
  const ours = files.find((f) => f.fileName === file.fileName);
  if (ours) {
    await ongoing.putOrderFileById(ongoingOrderId, ours.fileId, file.fileName, withPrinting);
    return { fileId: ours.fileId, how: 'put-by-id' };
  }
  try {
    const { fileId } = await ongoing.postOrderFile(ongoingOrderId, file.fileName, withPrinting);
    return { fileId, how: 'post' };
  } catch (err) {
    // The POST may have been applied (answer lost): if our file is there now, it went through with its
    // printing info, and posting again would add a second one.
    if (!(err instanceof OngoingTransientError)) throw err;
    const after = (await ongoing.getOrderFiles(ongoingOrderId)).find((f) => f.fileName === file.fileName);
    if (after) return { fileId: after.fileId, how: 'post-answer-lost' };
    throw err;
  }
}
