// The Lambda entry (NodejsFunction `entry`): configuration is read once, at cold start.
import { createHandlerFromEnv } from './app.js';

export const handler = createHandlerFromEnv(process.env);

// In Lambda, secrets and the provider's metadata are fetched during the init phase rather than on the
// first visitor's request. Bounded, and a failure here only means the first request fetches them itself.
// (Elsewhere — local mode, tests importing the bundle — there is no init phase worth using.)
if (process.env.AWS_LAMBDA_FUNCTION_NAME) await handler.warmUp(2000);
