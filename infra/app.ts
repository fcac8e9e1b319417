/**
 * The CDK app (`cdk.json` runs it). The stack is environment-agnostic, so `cdk synth` works offline
 * and without credentials; `cdk deploy` takes the account and region from the CLI's profile.
 */
import { buildApp } from "./stack.ts";

buildApp();
