/** Norwegian Bokmål: see `../en/emails.ts`. */
import type { emails as en } from "../en/emails.ts";

export const emails: Record<keyof typeof en, string> = {};
