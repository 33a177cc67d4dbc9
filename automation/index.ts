// Embedding kong-hybrid with the Automation API:
//
//   import { KongStack, PolicyViolationsError } from "./automation";
//   const stack = await KongStack.open({
//       stackName: "staging",
//       config: { region: "eu-west-1", kong: { domain: "api.staging.example.com", adminAllowedCidrs: ["198.51.100.0/24"] } },
//   });
//   // Both run the policy pack; a mandatory violation throws PolicyViolationsError (e.violations).
//   await stack.preview({ onOutput: s => process.stdout.write(s) });
//   const up = await stack.up({ signal: AbortSignal.timeout(60 * 60_000) });
//   console.log(up.changes, up.outputs.adminKeyCommand?.value);
//
// The README's example (type-checked and run by test/readme.spec.ts) shows the whole flow.
//
// It needs the Pulumi CLI and a backend login, like `pulumi up`; `npm run plan` needs neither.

export * from "./config";
export * from "./stack";
