export { airbytePipeline } from './pipeline';
export * from './api';
