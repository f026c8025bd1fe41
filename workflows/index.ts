// The workflow bundle's entry: every workflow the worker runs is exported from here.
export { pipelineCheck } from './pipeline-check';
export { reviewUpload } from './review-upload/workflow';
export { reviewCycle } from './review-cycle';
export { sweepUploadSessions } from './sweeper';
