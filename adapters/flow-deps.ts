/** The real adapters behind the flow's ports, wired once per container. */
import type { FlowDeps } from '#core/flow/steps.ts';
import { catalog } from './catalog/file-catalog.ts';
import { places } from './catalog/places.ts';
import { caseRepository, taskRepository } from './dynamodb/case-repository.ts';
import { workflow } from './sfn/workflow.ts';

export function flowDeps(): FlowDeps {
  return {
    cases: caseRepository,
    tasks: taskRepository,
    workflow,
    catalog: catalog(),
    places: places(),
    now: () => new Date(),
  };
}
