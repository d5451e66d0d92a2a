export * from './budget';
export * from './client';
export * from './errors';
export * from './schemas';
export * from './warsaw-time';
export * from './order-pages';
