/** The SES stand-in (aws-ses-v2-local): `GET /store` lists sent mail, `GET /` is the viewer. */
import type { AddressInfo } from "node:net";
import sesModule from "aws-ses-v2-local";
import { setEnvironment } from "../../shared/config.ts";
import { freePort } from "./net.ts";

// A CommonJS package: Node puts its default export on `default`, Vite's interop unwraps it.
const sesServer = (typeof sesModule === "function" ? sesModule : sesModule.default) as typeof sesModule.default;

export interface LocalSes {
  endpoint: string;
  stop(): Promise<void>;
}

/** The stand-in answers SESv2 GetAccount (our health check) with this; its schema requires every field. */
const account = {
  DedicatedIpAutoWarmupEnabled: false,
  Details: {
    AdditionalContactEmailAddresses: [],
    ContactLanguage: "EN",
    MailType: "TRANSACTIONAL",
    ReviewDetails: { CaseId: "local", Status: "GRANTED" },
    UseCaseDescription: "Kassa local runtime",
    WebsiteURL: "http://localhost",
  },
  EnforcementStatus: "HEALTHY",
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 },
  SuppressionAttributes: { SuppressedReasons: [] },
};

export async function startLocalSes(options: { port?: number } = {}): Promise<LocalSes> {
  setEnvironment({ AWS_SES_ACCOUNT: JSON.stringify(account) }, { keep: true });
  const server = await sesServer({ host: "127.0.0.1", port: options.port || (await freePort()) });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
