// The bare workflows in a bundle with all of ours: a sleeping workflow's cost in our bundle.
export * from './bare';
export * from '../../src/workflows';
