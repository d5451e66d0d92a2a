export * from './schema';
export * from './secrets';
export * from './load';
export * from './describe';
