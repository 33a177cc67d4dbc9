import * as assert from "assert";
import { CONTROL_PLANE_DEFAULTS } from "../components/control-plane";
import { DATABASE_DEFAULTS } from "../components/control-plane/database";
import { DATA_PLANE_DEFAULTS } from "../components/data-plane";
import { EDGE_DEFAULTS } from "../components/edge";
import { DEFAULT_CPU_ARCHITECTURE } from "../components/ecs/container";
import { DEFAULT_NODE_GROUP } from "../components/eks/cluster";
import { CA_DEFAULTS } from "../components/private-ca";
import { VPC_DEFAULTS } from "../components/vpc";
import { projectDeclarations } from "../stacks/config";

// One source for each default: the components export theirs, and Pulumi.yaml (what `pulumi config`
// and a reader see) must say the same. A stack-level key that has no component default is not listed.

const SAME: [configKey: string, componentDefault: unknown][] = [
    ["natMode", VPC_DEFAULTS.natMode],
    ["cpuArchitecture", DEFAULT_CPU_ARCHITECTURE],
    ["natInstanceType", VPC_DEFAULTS.natInstanceType],
    ["interfaceEndpoints", VPC_DEFAULTS.interfaceEndpoints],
    ["cpCpu", CONTROL_PLANE_DEFAULTS.cpu],
    ["cpMemory", CONTROL_PLANE_DEFAULTS.memory],
    ["cpDesiredCount", CONTROL_PLANE_DEFAULTS.desiredCount],
    ["logRetentionDays", CONTROL_PLANE_DEFAULTS.logRetentionDays],
    ["logRetentionDays", DATA_PLANE_DEFAULTS.logRetentionDays],
    ["dbEngineVersion", DATABASE_DEFAULTS.engineVersion],
    // ACUs are strings in Pulumi.yaml (0.5 steps; an integer type would refuse 0.5).
    ["dbMinCapacity", String(DATABASE_DEFAULTS.minCapacity)],
    ["dbMaxCapacity", String(DATABASE_DEFAULTS.maxCapacity)],
    ["dbSecondsUntilAutoPause", DATABASE_DEFAULTS.secondsUntilAutoPause],
    ["dbBackupRetentionDays", DATABASE_DEFAULTS.backupRetentionDays],
    ["dbReader", DATABASE_DEFAULTS.reader],
    ["caMode", CA_DEFAULTS.mode],
    ["caPcaUsageMode", CA_DEFAULTS.pcaUsageMode],
    ["certValidityDays", CA_DEFAULTS.validityDays],
    ["certRenewBeforeDays", CA_DEFAULTS.renewBeforeDays],
    ["dpCpu", DATA_PLANE_DEFAULTS.cpu],
    ["dpMemory", DATA_PLANE_DEFAULTS.memory],
    ["dpMinCount", DATA_PLANE_DEFAULTS.minCount],
    ["dpMaxCount", DATA_PLANE_DEFAULTS.maxCount],
    ["dpSpotPercent", DATA_PLANE_DEFAULTS.spotPercent],
    ["dpUpstreamEgressCidrs", DATA_PLANE_DEFAULTS.upstreamEgressCidrs],
    ["dpUpstreamEgressPorts", DATA_PLANE_DEFAULTS.upstreamEgressPorts],
    ["albSslPolicy", EDGE_DEFAULTS.sslPolicy],
    ["albHttpRedirect", EDGE_DEFAULTS.httpRedirect],
    ["wafRateLimit", EDGE_DEFAULTS.wafRateLimit],
    ["accessLogRetentionDays", EDGE_DEFAULTS.accessLogRetentionDays],
    ["eksNodeInstanceType", DEFAULT_NODE_GROUP.instanceTypes[0]],
    ["eksNodeMinSize", DEFAULT_NODE_GROUP.minSize],
    ["eksNodeMaxSize", DEFAULT_NODE_GROUP.maxSize],
];

describe("Pulumi.yaml defaults are the components' defaults", () => {
    const declared = projectDeclarations();
    for (const [key, value] of SAME) {
        it(`${key} = ${JSON.stringify(value)}`, () => {
            assert.ok(declared[key], `${key} is declared in Pulumi.yaml`);
            assert.deepStrictEqual(declared[key].default, value);
        });
    }
});
