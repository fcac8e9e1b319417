/**
 * Where an enrollment is in its version's steps: a step path (`"3"`, `"1.then.0"`) names a step, and
 * these pure functions find it, the path after it, and the first step of a branch's arm.
 */
import type { StepPath, WorkflowStep } from "./workflow.ts";

type Arm = "then" | "else";

/** The path split into its levels: `"1.then.0"` → indexes [1, 0] with arms ["then"]. */
function levels(path: StepPath): { indexes: number[]; arms: Arm[] } {
  const parts = path.split(".");
  const indexes: number[] = [];
  const arms: Arm[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 0) indexes.push(Number(part));
    else arms.push(part as Arm);
  });
  return { indexes, arms };
}

const join = (indexes: readonly number[], arms: readonly Arm[]): StepPath =>
  indexes
    .flatMap((index, i) => (i < arms.length ? [String(index), arms[i] as Arm] : [String(index)]))
    .join(".");

/** The list of steps the path's last index points into. */
function siblings(steps: readonly WorkflowStep[], indexes: readonly number[], arms: readonly Arm[]) {
  let list = steps;
  for (const [i, arm] of arms.entries()) {
    const branch = list[indexes[i] as number];
    if (branch?.type !== "branch") return undefined;
    list = branch[arm];
  }
  return list;
}

/** The step at `path`, or undefined when the version has no such step. */
export function stepAt(steps: readonly WorkflowStep[], path: StepPath): WorkflowStep | undefined {
  const { indexes, arms } = levels(path);
  return siblings(steps, indexes, arms)?.[indexes.at(-1) as number];
}

/** The first step's path, or undefined for no steps. */
export const firstPath = (steps: readonly WorkflowStep[]): StepPath | undefined =>
  steps.length > 0 ? "0" : undefined;

/** The step that runs after the one at `path` (leaving a branch's arm continues after the branch), or undefined at the end. */
export function pathAfter(steps: readonly WorkflowStep[], path: StepPath): StepPath | undefined {
  const { indexes, arms } = levels(path);
  for (let depth = indexes.length - 1; depth >= 0; depth--) {
    const index = indexes.slice(0, depth + 1);
    const arm = arms.slice(0, depth);
    const list = siblings(steps, index, arm);
    const next = (index.at(-1) as number) + 1;
    if (list && next < list.length) return join([...index.slice(0, -1), next], arm);
  }
  return undefined;
}

/** Where a branch at `path` goes when its condition chose `arm`: the arm's first step, or on after the branch. */
export function pathInto(steps: readonly WorkflowStep[], path: StepPath, arm: Arm): StepPath | undefined {
  const branch = stepAt(steps, path);
  if (branch?.type === "branch" && branch[arm].length > 0) return `${path}.${arm}.0`;
  return pathAfter(steps, path);
}
