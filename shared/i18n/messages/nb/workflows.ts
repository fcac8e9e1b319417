/** Norwegian Bokmål: see `../en/workflows.ts`. */
import type { workflows as en } from "../en/workflows.ts";

export const workflows: Record<keyof typeof en, string> = {
  "workflow.unsubscribe.link": "Meld deg av",
  "workflow.unsubscribe.afterLink": "e-poster som denne fra {merchant}.",
  "workflow.unsubscribe.text": "Meld deg av e-poster som denne fra {merchant}: {url}",
};
