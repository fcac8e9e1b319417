/**
 * Readable logs for the local entry points (`npm start`, `npm run invoke`): Powertools' dev mode
 * prints each JSON line indented (and keeps EMF metrics, which only CloudWatch reads, off the
 * screen). Imported before anything else, since the logger reads the setting when it is built.
 */
import { envNames, setEnvironment } from "../../shared/config.ts";

setEnvironment({ [envNames.powertoolsDev]: "true" }, { keep: true });
