export * from './auth';
export * from './payload';
export * from './shipment-handler';
