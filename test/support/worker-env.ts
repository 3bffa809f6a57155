/** Gives each test worker the local stack's environment, as a Lambda would get its own. */
import { inject } from 'vitest';

Object.assign(process.env, inject('localEnv'));
