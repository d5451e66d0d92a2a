export * from './server';
export * from './seed';
export type { RateLimitConfig, RateLimitRule } from './rate-limit';
export type { SimArticle, SimCustomer, SimFile, SimGoodsOwner, SimOrder, SimOrderLine, SimState, SimTracking, SimUser } from './state';
