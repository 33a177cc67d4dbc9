import * as assert from "assert";
import { controlPlaneHostname, splitHostname } from "../components/control-plane";
import { resolveDatabaseSettings, scalingConfiguration } from "../components/control-plane/database";

describe("ControlPlane arguments", () => {
    it("the CP hostname of a stack is cp.<prefix>.internal, split into Cloud Map service and namespace", () => {
        assert.strictEqual(controlPlaneHostname("kong-dev"), "cp.kong-dev.internal");
        assert.deepStrictEqual(splitHostname("cp.kong-dev.internal"), { service: "cp", namespace: "kong-dev.internal" });
    });

    for (const bad of ["cp", "cp.internal", ".kong.internal", "CP_1.kong.internal"]) {
        it(`refuses hostname ${JSON.stringify(bad)}`, () => {
            assert.throws(() => splitHostname(bad), /must be <service>\.<namespace>/);
        });
    }

    const databases: { given: Parameters<typeof resolveDatabaseSettings>[0]; error?: RegExp; scaling?: object }[] = [
        { given: {}, scaling: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 600 } },
        { given: { minCapacity: 0.5, maxCapacity: 8 }, scaling: { minCapacity: 0.5, maxCapacity: 8 } },
        { given: { minCapacity: 0, engineVersion: "15.4" }, error: /15\.4 cannot scale to 0 ACU/ },
        { given: { minCapacity: 0, engineVersion: "14.12" }, scaling: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 600 } },
        { given: { minCapacity: 4, maxCapacity: 2 }, error: /minCapacity 4 exceeds maxCapacity 2/ },
        { given: { minCapacity: 0.25 }, error: /steps of 0\.5/ },
        { given: { secondsUntilAutoPause: 60 }, error: /secondsUntilAutoPause 60 must be 300-86400/ },
        { given: { backupRetentionDays: 0 }, error: /backupRetentionDays 0 must be 1-35/ },
    ];
    for (const d of databases) {
        it(`database ${JSON.stringify(d.given)}: ${d.error ? "refused" : `scaling ${JSON.stringify(d.scaling)}`}`, () => {
            if (d.error) assert.throws(() => resolveDatabaseSettings(d.given), d.error);
            else assert.deepStrictEqual(scalingConfiguration(resolveDatabaseSettings(d.given)), d.scaling);
        });
    }
});
