import * as assert from "assert";
import { CONTROL_PLANE_OUTPUTS, controlPlaneContractFromOutputs } from "../components/contracts";
import { plan } from "./support";

// A DP group joins a CP through ControlPlaneContract, whether the CP is this stack's or another's.

describe("ControlPlaneContract from another stack's outputs", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: the CP stack's real outputs give the same contract this stack's DPs use`, async () => {
            const outputs = (await plan(stack)).outputs;
            for (const key of CONTROL_PLANE_OUTPUTS) assert.ok(outputs[key], `output ${key}`);
            const c = controlPlaneContractFromOutputs(outputs, { sameNetwork: true });
            assert.strictEqual(c.clusterAddress, `cp.kong-${stack}.internal:8005`);
            assert.strictEqual(c.serverName, `cp.kong-${stack}.internal`);
            assert.strictEqual(c.kong.image, stack === "dev" ? "kong:3.9.3" : outputs.controlPlaneKongImage);
            assert.match(String(c.caCertificatePem), /^-----BEGIN CERTIFICATE-----/);
            assert.match(String(c.securityGroupId), /^sg-0/);
            assert.strictEqual(controlPlaneContractFromOutputs(outputs).securityGroupId, undefined, "another network: no SG arrows");
        });
    }

    const good = { clusterEndpoint: "cp.x.internal:8005", controlPlaneHostname: "cp.x.internal", controlPlaneKongImage: "kong:3.9.3", caCertificatePem: "pem" };
    const bad: [string, Record<string, unknown>, RegExp][] = [
        ["a missing output", { ...good, controlPlaneKongImage: undefined }, /^Error: control plane stack output controlPlaneKongImage: missing; expected a non-empty string$/],
        ["an address without a port", { ...good, clusterEndpoint: "cp.x.internal" }, /^Error: control plane stack output clusterEndpoint: "cp.x.internal"; expected host:port$/],
        ["same network without the CP's security group", good, /controlPlaneSecurityGroupId: missing/],
    ];
    for (const [what, outputs, message] of bad) {
        it(`refuses ${what} in one line`, () => {
            assert.throws(() => controlPlaneContractFromOutputs(outputs, { sameNetwork: what.startsWith("same") }), message);
        });
    }
});
