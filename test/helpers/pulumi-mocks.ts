// The tests use the same recording mocks as `npm run synth`.
export { installMocks, ofType, settle, outputValue } from '../../infra/synth/mocks';
export type { RecordedResource } from '../../infra/synth/mocks';
