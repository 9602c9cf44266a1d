// The Lambda entry (NodejsFunction `entry`): configuration is read once, at cold start.
import { createHandler } from './app.js';
import { loadConfig } from './config.js';

export const handler = createHandler(loadConfig(process.env));
