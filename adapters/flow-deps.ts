/** The real adapters behind the flow's ports, wired once per container. */
import type { Workflow } from '#core/case/ports.ts';
import type { FlowDeps } from '#core/flow/steps.ts';
import { catalog } from './catalog/file-catalog.ts';
import { places } from './catalog/places.ts';
import { caseWithTasks } from './dynamodb/case-reads.ts';
import { caseRepository, taskRepository } from './dynamodb/case-repository.ts';
import { logger } from './logger.ts';

/**
 * A function without workflow access (no `needs.workflow`: IAM refuses its every Step Functions
 * call) gets no Step Functions client in its bundle: one that calls the workflow anyway fails here.
 */
const noWorkflow: Workflow = {
  start: () => Promise.reject(new Error('this function has no workflow access (needs.workflow)')),
  succeed: () => Promise.reject(new Error('this function has no workflow access (needs.workflow)')),
  stop: () => Promise.reject(new Error('this function has no workflow access (needs.workflow)')),
};

/** `workflow`: adapters/sfn/workflow.ts, passed by the functions whose spec grants workflow calls. */
export function flowDeps(workflow: Workflow = noWorkflow): FlowDeps {
  return {
    cases: caseRepository,
    tasks: taskRepository,
    workflow,
    catalog: catalog(),
    places: places(),
    caseWithTasks,
    now: () => new Date(),
    warn: (message, detail) => logger.warn(message, detail),
  };
}
