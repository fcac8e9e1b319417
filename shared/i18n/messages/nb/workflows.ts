/** Norwegian Bokmål: see `../en/workflows.ts`. */
import type { workflows as en } from "../en/workflows.ts";

export const workflows: Record<keyof typeof en, string> = {};
