export { LabelStore, labelKey, ensureBucket } from './store';
