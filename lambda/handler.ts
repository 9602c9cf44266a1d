// The Lambda entry (NodejsFunction `entry`): configuration is read once, at cold start.
import { createHandlerFromEnv } from './app.js';

export const handler = createHandlerFromEnv(process.env);
