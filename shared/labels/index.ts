export { LabelStore, LabelsUnavailableError, labelKey, ensureBucket, unavailableLabels, type LabelStorage } from './store';
