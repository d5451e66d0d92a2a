export * from './table';
export * from './store';
export * from './budget';
export { boundedJson, boundedText, RAW_MAX_BYTES } from './bounded';
export * from '../flows/ports';
export * from './dynamo-ports';
export { MemoryState } from './memory';
