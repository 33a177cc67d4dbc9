// Embedding kong-hybrid with the Automation API:
//
//   import { KongStack } from "./automation";
//   const stack = await KongStack.open({
//       stackName: "staging",
//       config: { region: "eu-west-1", kong: { domain: "api.staging.example.com", adminAllowedCidrs: ["198.51.100.0/24"] } },
//   });
//   const preview = await stack.preview({ onOutput: s => process.stdout.write(s) });
//   if (preview.policyViolations.some(v => v.enforcementLevel === "mandatory")) throw new Error("policy");
//   const up = await stack.up({ signal: AbortSignal.timeout(60 * 60_000) });
//   console.log(up.changes, up.outputs.adminKeyCommand?.value);
//
// It needs the Pulumi CLI and a backend login, like `pulumi up`; `npm run plan` needs neither.

export * from "./config";
export * from "./stack";
