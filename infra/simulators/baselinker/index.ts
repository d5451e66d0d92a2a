export * from './simulator';
export * from './state';
export * from './seed';
export { SimApiError } from './methods';
