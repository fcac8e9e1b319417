/**
 * The CDK app (`cdk.json` runs it). The stack is environment-agnostic, so `cdk synth` works offline
 * and without credentials; `cdk deploy` takes the account and region from the CLI's profile.
 */
import { buildApp, DeploySettingError } from "./stack.ts";

try {
  buildApp();
} catch (error) {
  // A missing or wrong context value is the operator's to fix: one line saying how, not a trace.
  if (!(error instanceof DeploySettingError)) throw error;
  console.error(error.message);
  process.exit(1);
}
