export * from './rating-event';
export * from './hour';
export * from './hourly-stats';
export * from './dlq';
export * from './text';
export * from './pipeline-health';
