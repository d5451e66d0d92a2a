export * from './registry';
export * from './secrets-store';
export * from './admin';
export * from './webhook-keys';
