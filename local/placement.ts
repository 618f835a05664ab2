import { ResourceNames, type Placement } from '../model/deployment';

/**
 * Where the local runtime stands as AWS would see it: the `local` stage of the deployment plan, in one region of
 * an account no AWS account can have (000000000000), so an ARN copied from local output never reaches a real one.
 */
export const LOCAL_PLACEMENT: Placement = { stage: 'local', region: 'eu-west-1', accountId: '000000000000' };

/** Every local resource name and ARN, from the same plan as the deployed stages. */
export const LOCAL_NAMES = new ResourceNames(LOCAL_PLACEMENT);

/** The second region of a two-region local run (the dev stage's pair: eu-west-1 and eu-central-1). */
export const LOCAL_SECONDARY_REGION = 'eu-central-1';

/** The local global endpoint's id, in the two-label form AWS gives ids (`abcde.veo`). */
export const LOCAL_ENDPOINT_ID = `${LOCAL_NAMES.endpointName}.local`;

/** How an SDK client reaches the local stand-ins: the local region, and credentials nothing checks. */
export const LOCAL_CLIENT_CONFIG = { region: LOCAL_PLACEMENT.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;
