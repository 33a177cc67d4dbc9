import * as assert from "assert";
import { parseConfig, type StackConfig } from "../stacks/config";
import { configProblems } from "./support";
import { stackConfig } from "../offline/harness";

// Config validation: each bad input gives one line naming the key, the value and what is allowed.

/** A valid minimal stack, overridden per case (undefined removes a key). */
function raw(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const base: Record<string, string> = {
        "aws:region": "eu-west-1",
        "kong-hybrid:domain": "kong-gw.example.com",
        "kong-hybrid:adminAllowedCidrs": '["203.0.113.0/24"]',
    };
    for (const [k, v] of Object.entries(overrides)) {
        const key = k.includes(":") ? k : `kong-hybrid:${k}`;
        if (v === undefined) delete base[key];
        else base[key] = v;
    }
    return base;
}

/** A valid CP-on-EKS stack (Pulumi.eks.yaml's keys), for rows that add one key to it. */
function eksControlPlane(): Record<string, string> {
    const eks = stackConfig("eks");
    return Object.fromEntries(Object.entries(eks).filter(([k]) => k.startsWith("kong-hybrid:")).map(([k, v]) => [k.slice("kong-hybrid:".length), v]));
}

function problemsOf(overrides: Record<string, string | undefined>, stack = "test"): string[] {
    return configProblems(raw(overrides), stack);
}

describe("config validation", () => {
    const cases: [string, Record<string, string | undefined>, RegExp][] = [
        ["a typo'd key, with a suggestion", { dommain: "x.example.com" }, /^kong-hybrid:dommain: unknown key \(did you mean kong-hybrid:domain\?\)/],
        ["an unknown key far from any", { frobnicate: "1" }, /^kong-hybrid:frobnicate: unknown key; the keys are declared in Pulumi.yaml$/],
        ["a missing required key", { domain: undefined }, /^kong-hybrid:domain is required/],
        ["no region", { "aws:region": undefined }, /^aws:region is required/],
        ["bad CIDR syntax", { vpcCidr: "10.0.0/16" }, /^kong-hybrid:vpcCidr: "10\.0\.0\/16" is not an IPv4 CIDR block/],
        ["CIDR with host bits", { vpcCidr: "10.0.0.1/16" }, /host bits set \(the network address is 10\.0\.0\.0\/16\)/],
        ["octet over 255", { vpcCidr: "10.300.0.0/16" }, /has an octet above 255/],
        ["VPC too large", { vpcCidr: "10.0.0.0/8" }, /^kong-hybrid:vpcCidr = "10\.0\.0\.0\/8": a VPC block must be \/16 to \/24$/],
        ["admin CIDR invalid", { adminAllowedCidrs: '["203.0.113.0/33"]' }, /^kong-hybrid:adminAllowedCidrs: "203\.0\.113\.0\/33" has a prefix length above 32$/],
        ["subnet outside the VPC", { publicSubnetCidrs: '["10.1.0.0/24","10.0.129.0/24"]' }, /^kong-hybrid:publicSubnetCidrs: 10\.1\.0\.0\/24 does not fit in vpcCidr 10\.0\.0\.0\/16$/],
        ["overlapping subnets", { publicSubnetCidrs: '["10.0.0.0/24","10.0.129.0/24"]' }, /^kong-hybrid:privateSubnetCidrs: 10\.0\.0\.0\/20 overlaps 10\.0\.0\.0\/24 \(kong-hybrid:publicSubnetCidrs\)$/],
        ["one subnet per AZ", { azCount: "3", isolatedSubnetCidrs: '["10.0.192.0/24","10.0.193.0/24"]' }, /^kong-hybrid:isolatedSubnetCidrs = .*must list exactly one block per AZ \(azCount = 3\)$/],
        ["subnet smaller than /28", { publicSubnetCidrs: '["10.0.128.0/29","10.0.129.0/24"]' }, /10\.0\.128\.0\/29 is smaller than \/28/],
        ["small VPC needs explicit subnets", { vpcCidr: "10.0.0.0/22" }, /^kong-hybrid:publicSubnetCidrs is required: a 10\.0\.0\.0\/22 VPC is too small for the default plan/],
        ["AZ count below 2", { azCount: "1" }, /^kong-hybrid:azCount = 1: must be a whole number from 2 to 6$/],
        ["AZ count above 6", { azCount: "7" }, /^kong-hybrid:azCount = 7: must be a whole number from 2 to 6$/],
        ["AZ count not a number", { azCount: "two" }, /^kong-hybrid:azCount = "two": must be a whole number$/],
        ["unknown NAT mode", { natMode: "nat-gw" }, /^kong-hybrid:natMode = "nat-gw": must be one of gateway-per-az, gateway-single, instance, none$/],
        ["boolean not a boolean", { production: "yes" }, /^kong-hybrid:production = "yes": must be true or false$/],
        ["scale to zero not a boolean", { cpScaleToZero: "on" }, /^kong-hybrid:cpScaleToZero = "on": must be true or false$/],
        ["cooldown beyond a day", { cpScaleToZeroCooldownMinutes: "1441" }, /^kong-hybrid:cpScaleToZeroCooldownMinutes = 1441: must be a whole number from 0 to 1440$/],
        ["sync wait of 0", { cpScaleToZeroSyncWaitMinutes: "0" }, /^kong-hybrid:cpScaleToZeroSyncWaitMinutes = 0: must be a whole number from 1 to 60$/],
        ["export margin not a number", { cpScaleToZeroExportMarginSeconds: "1m" }, /^kong-hybrid:cpScaleToZeroExportMarginSeconds = "1m": must be a whole number$/],
        ["an Enterprise DP older than the CP while the CP may sleep", {
            cpScaleToZero: "true", kongImage: "kong/kong-gateway:3.15.0.4", dataPlaneKongImage: "kong/kong-gateway:3.14.0.13",
            kongLicenseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-licence-AbCdEf",
        }, /^kong-hybrid:dataPlaneKongImage = "kong\/kong-gateway:3\.14\.0\.13": with cpScaleToZero an Enterprise DP must run the CP's exact version 3\.15\.0\.4; it imports only the fallback configuration its own version exports$/],
        ["a controller that would wake the CP to 0 tasks", { cpScaleToZero: "true", cpDesiredCount: "0" }, /^kong-hybrid:cpDesiredCount = 0: with cpScaleToZero the controller starts the CP at cpDesiredCount tasks; use 1 or more/],
        ["DP min above max", { dpMinCount: "5", dpMaxCount: "2" }, /^kong-hybrid:dpMinCount = 5: must not exceed kong-hybrid:dpMaxCount \(2\)$/],
        ["DP desired outside min..max", { dpMinCount: "2", dpMaxCount: "4", dpDesiredCount: "9" }, /^kong-hybrid:dpDesiredCount = 9: must be 0/],
        ["DB min above max", { dbMinCapacity: "4", dbMaxCapacity: "2" }, /^kong-hybrid:dbMinCapacity = 4: must not exceed kong-hybrid:dbMaxCapacity \(2\)$/],
        ["ACU not in 0.5 steps", { dbMaxCapacity: "2.25" }, /^kong-hybrid:dbMaxCapacity = "2\.25": must be a number of ACUs from 1 to 256 in steps of 0\.5$/],
        ["0 ACU on an engine that cannot pause", { dbEngineVersion: "15.4", dbMinCapacity: "0" }, /^kong-hybrid:dbEngineVersion = "15\.4": cannot scale to 0 ACU/],
        ["Fargate CPU that does not exist", { cpCpu: "384" }, /^kong-hybrid:cpCpu = 384: must be a Fargate CPU value: 256, 512, 1024, 2048, 4096, 8192 or 16384$/],
        ["Fargate memory not paired with CPU", { dpCpu: "256", dpMemory: "4096" }, /^kong-hybrid:dpMemory = 4096: Fargate does not run 256 CPU units with 4096 MiB; allowed: 512, 1024, 2048 MiB$/],
        ["Fargate memory off the 1 GB steps", { cpCpu: "1024", cpMemory: "2500" }, /^kong-hybrid:cpMemory = 2500: .*allowed: 2048 to 8192 in steps of 1024 MiB$/],
        ["DP newer minor than CP", { kongImage: "kong/kong-gateway:3.10.0.17", dataPlaneKongImage: "kong/kong-gateway:3.14.0.13", kongLicenseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-licence-AbCdEf" }, /^kong-hybrid:dataPlaneKongImage = "kong\/kong-gateway:3\.14\.0\.13": Kong 3\.14\.0\.13 is newer than the Control Plane's 3\.10\.0\.17; a CP rejects a DP of a newer minor version/],
        ["DP of another edition", { dataPlaneKongImage: "kong/kong-gateway:3.9.1.2" }, /must be the same edition as kongImage/],
        ["unpinned image", { kongImage: "kong:latest" }, /^kong-hybrid:kongImage = "kong:latest": has tag "latest", which is not a version/],
        ["OSS beyond the last OSS release", { kongImage: "kong:3.10.0" }, /the last open-source release is 3\.9\.3/],
        ["Enterprise 3.10+ without a licence", { kongImage: "kong/kong-gateway:3.15.0.4" }, /^kong-hybrid:kongLicenseSecretArn is required with kong\/kong-gateway:3\.15\.0\.4/],
        ["admin 0.0.0.0/0 in production", { production: "true", adminAllowedCidrs: '["0.0.0.0/0"]' }, /^kong-hybrid:adminAllowedCidrs contains 0\.0\.0\.0\/0: a production stack must name the admin networks/],
        ...([
            ["cpScaleToZero", "true", /a CP on EKS does not sleep/],
            ["cpScaleToZeroCooldownMinutes", "10", /a CP on EKS does not sleep/],
            ["cpCpu", "1024", /size the CP pods with eksCpCpuMillis$/],
            ["cpDesiredCount", "2", /use eksCpReplicas$/],
            ["dpSpotPercent", "50", /every DP group runs on EKS/],
            ["deckImage", "kong/deck:v1.65.1", /the \/kong-admin bootstrap \(decK\) runs only beside an ECS Control Plane$/],
        ] as const).map(([key, value, hint]): [string, Record<string, string | undefined>, RegExp] => [
            `${key} with a CP on EKS (ignored there)`,
            { ...eksControlPlane(), [key]: value },
            new RegExp(`^kong-hybrid:${key} = ${value.replace(/[.]/g, "\\.")}: applies to ECS only, and with controlPlaneRuntime eks nothing runs on ECS; ${hint.source}`),
        ]),
        ["no WAF in production", { production: "true", adminAllowedCidrs: '["198.51.100.0/24"]', waf: "false" }, /^kong-hybrid:waf = false: a production stack keeps the WAF in front of its public load balancer; only non-production stacks may turn it off$/],
        ["every DP task on Spot in production", { production: "true", adminAllowedCidrs: '["198.51.100.0/24"]', dpSpotPercent: "100" }, /^kong-hybrid:dpSpotPercent = 100: a production DP group keeps one task on FARGATE \(Spot can reclaim every task at once\); use 0-99$/],
        ["a production group all on Spot", {
            production: "true", adminAllowedCidrs: '["198.51.100.0/24"]',
            dataPlanes: JSON.stringify([{ name: "public", runtime: "ecs", exposure: "public", minCount: 2, maxCount: 4 }, { name: "batch", runtime: "ecs", exposure: "internal", minCount: 1, maxCount: 2, spotPercent: 100 }]),
        }, /^kong-hybrid:dataPlanes\[1\]\.spotPercent = 100: a production DP group keeps one task on FARGATE/],
        ["admin ::/0 in production", { production: "true", adminAllowedCidrs: '["203.0.113.0/24","::/0"]' }, /^kong-hybrid:adminAllowedCidrs contains ::\/0/],
        ["no admin networks", { adminAllowedCidrs: "[]" }, /^kong-hybrid:adminAllowedCidrs = \[\]: must list at least one client network$/],
        ["old TLS policy", { albSslPolicy: "ELBSecurityPolicy-2016-08" }, /^kong-hybrid:albSslPolicy = "ELBSecurityPolicy-2016-08": must be a TLS 1\.2\+ ELB policy/],
        ["domain outside its zone", { hostedZoneName: "example.org" }, /^kong-hybrid:hostedZoneName = "example\.org": the domain kong-gw\.example\.com is not in this zone$/],
        ["renewal window longer than validity", { certValidityDays: "30", certRenewBeforeDays: "30" }, /^kong-hybrid:certRenewBeforeDays = 30: must be less than kong-hybrid:certValidityDays \(30\)$/],
        ["log retention CloudWatch refuses", { logRetentionDays: "10" }, /^kong-hybrid:logRetentionDays = 10: must be a CloudWatch retention/],
        ["list given as a scalar", { interfaceEndpoints: "ecr.api" }, /^kong-hybrid:interfaceEndpoints = "ecr\.api": must be a list/],
    ];

    for (const [title, overrides, expected] of cases) {
        it(`rejects ${title}`, () => {
            const problems = problemsOf(overrides);
            assert.ok(problems.some(p => expected.test(p)), `no problem matched ${expected}:\n${problems.join("\n")}`);
            for (const p of problems) assert.ok(!p.includes("\n"), `a problem spans lines: ${p}`);
        });
    }

    it("reports every problem at once, one line each", () => {
        const problems = problemsOf({ azCount: "9", natMode: "x", cpCpu: "100", dommain: "y" });
        assert.strictEqual(problems.length, 4, problems.join("\n"));
    });

    it("allows a stack without a WAF and with every DP task on Spot outside production (dev does both)", () => {
        assert.deepStrictEqual(problemsOf({ waf: "false", dpSpotPercent: "100" }), []);
        const dev = parseConfig(stackConfig("dev"), "dev");
        assert.deepStrictEqual([dev.edge.waf, dev.dataPlanes.map(g => g.spotPercent)], [false, [100]]);
        assert.strictEqual(parseConfig(stackConfig("prod"), "prod").edge.waf, true, "the default");
    });

    it("allows 0.0.0.0/0 for the admin path outside production (trials)", () => {
        assert.deepStrictEqual(problemsOf({ adminAllowedCidrs: '["0.0.0.0/0"]' }), []);
    });

    it("accepts a DP that lags the CP by a minor version", () => {
        const licence = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-licence-AbCdEf";
        assert.deepStrictEqual(problemsOf({ kongImage: "kong/kong-gateway:3.15.0.4", dataPlaneKongImage: "kong/kong-gateway:3.14.0.13", kongLicenseSecretArn: licence }), []);
    });

    it("applies Pulumi.yaml defaults and derives the subnet plan", () => {
        const cfg = parseConfig(raw(), "dev");
        assert.strictEqual(cfg.name, "kong-dev");
        assert.strictEqual(cfg.network.azCount, 2);
        assert.strictEqual(cfg.network.natMode, "gateway-single");
        assert.deepStrictEqual(cfg.network.privateSubnetCidrs, ["10.0.0.0/20", "10.0.16.0/20"]);
        assert.deepStrictEqual(cfg.network.publicSubnetCidrs, ["10.0.128.0/24", "10.0.129.0/24"]);
        assert.deepStrictEqual(cfg.network.isolatedSubnetCidrs, ["10.0.192.0/24", "10.0.193.0/24"]);
        assert.strictEqual(cfg.kong.controlPlane.version, "3.9.3");
        assert.strictEqual(cfg.kong.dataPlane.image, "kong:3.9.3");
        assert.strictEqual(cfg.edge.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09");
        assert.strictEqual(cfg.database.minCapacity, 0);
        assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.network.privateSubnetCidrs), "config is frozen");
    });

    const stacks: [string, (c: StackConfig) => void][] = [
        ["dev", c => {
            assert.strictEqual(c.production, false);
            assert.strictEqual(c.network.azCount, 2);
            assert.strictEqual(c.network.natMode, "instance", "a NAT instance costs a fraction of a NAT gateway");
            assert.strictEqual(c.database.minCapacity, 0, "dev Aurora pauses when idle");
            assert.deepStrictEqual(c.controlPlane.scaleToZero, {
                syncWaitMinutes: 5, cooldownMinutes: 30, extendMinutes: 15, exportMarginSeconds: 60, startTimeoutMinutes: 5, desiredCount: 1,
            }, "dev: the CP sleeps when idle, so Aurora can pause");
            assert.ok(c.dataPlanes[0].spotPercent > 0, "dev uses FARGATE_SPOT");
        }],
        ["prod", c => {
            assert.strictEqual(c.production, true);
            assert.strictEqual(c.network.azCount, 3);
            assert.strictEqual(c.network.natMode, "gateway-per-az");
            assert.ok(c.database.reader, "prod has a reader in another AZ");
            assert.strictEqual(c.controlPlane.scaleToZero, undefined, "prod's CP never sleeps");
            assert.ok(c.dataPlanes[0].minCount >= 2, "prod keeps several DP tasks");
            assert.ok(!c.edge.adminAllowedCidrs.includes("0.0.0.0/0"));
        }],
    ];
    for (const [stack, check] of stacks) {
        it(`reads the ${stack} stack file as a realistic ${stack} stack`, () => check(parseConfig(stackConfig(stack), stack)));
    }
});
