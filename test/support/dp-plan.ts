import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPki, ControlPlaneEndpoint } from "../../components/contracts";
import { PORTS } from "../../components/network/ports";
import { allowGroupToGroup, allowToCidrs } from "../../components/network/traffic";
import { parseConfig } from "../../stacks/config";
import { createDataPlanes } from "../../stacks/data-plane";
import { runProgram, stackConfig, type ProgramRun } from "../../offline/harness";

// Plans this slice for a stack file. The PrivateCa and ControlPlane come from the cp branch;
// until it is merged, this stand-in provides their contracts (ClusterPki, ControlPlaneEndpoint)
// and the CP/DB security groups with the CP issue's rules (ARCHITECTURE.md table), so the SG
// matrix covers all four groups. Once cp is merged, planStack() runs the real program instead.

export const STAND_IN = {
    vpcId: "vpc-0a1b2c3d4e5f60001",
    publicSubnetIds: ["subnet-0pub000000000001", "subnet-0pub000000000002", "subnet-0pub000000000003"],
    privateSubnetIds: ["subnet-0app000000000001", "subnet-0app000000000002", "subnet-0app000000000003"],
    ecsClusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/kong",
    stackKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd",
    pkiKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/5555eeee-6666-ffff-7777-000088889999",
    dpTlsSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-dp-tls-AbCdEf",
    cpTlsSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-cp-tls-GhIjKl",
    caPem: "-----BEGIN CERTIFICATE-----\nMIIBcluster-ca\n-----END CERTIFICATE-----\n",
    cpHostname: "cp.kong.internal",
};

export async function planDataPlane(stack: string, overrides: Record<string, string | undefined> = {}): Promise<ProgramRun> {
    const raw = stackConfig(stack, overrides);
    const cfg = parseConfig(raw, stack);
    return runProgram(async () => {
        const cpSg = new aws.ec2.SecurityGroup("cp-sg", { vpcId: STAND_IN.vpcId, description: "stand-in CP" });
        const dbSg = new aws.ec2.SecurityGroup("db-sg", { vpcId: STAND_IN.vpcId, description: "stand-in DB" });
        allowGroupToGroup("cp-to-db", cpSg.id, dbSg.id, { port: PORTS.postgres, description: "CP to Aurora" }, {});
        allowToCidrs("cp-egress-443", cpSg.id, ["0.0.0.0/0"], { port: PORTS.https, description: "CP to images and AWS APIs" }, {});
        const controlPlane: ControlPlaneEndpoint = { hostname: STAND_IN.cpHostname, securityGroupId: cpSg.id, kong: cfg.kong.controlPlane };
        const pki: ClusterPki = {
            caCertificatePem: pulumi.output(STAND_IN.caPem),
            controlPlaneTls: { secretArn: pulumi.output(STAND_IN.cpTlsSecretArn) },
            dataPlaneTls: { secretArn: pulumi.output(STAND_IN.dpTlsSecretArn) },
            kmsKeyArn: pulumi.output(STAND_IN.pkiKeyArn),
        };
        const dp = createDataPlanes(cfg, {
            network: {
                vpcId: STAND_IN.vpcId,
                vpcCidr: cfg.network.vpcCidr,
                publicSubnetIds: STAND_IN.publicSubnetIds.slice(0, cfg.network.azCount),
                privateSubnetIds: STAND_IN.privateSubnetIds.slice(0, cfg.network.azCount),
                isolatedSubnetIds: [],
            },
            ecsClusterArn: STAND_IN.ecsClusterArn,
            kmsKeyArn: STAND_IN.stackKeyArn,
        }, controlPlane, pki);
        return { ...dp.outputs, cpSecurityGroupId: cpSg.id, dbSecurityGroupId: dbSg.id };
    }, { stack, config: raw });
}
