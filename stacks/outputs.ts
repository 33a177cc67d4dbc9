import type { StackKey } from "../components/kms";
import type { Vpc } from "../components/vpc";
import type { StackConfig } from "./config";

/** The outputs every stack has, whatever runs the CP: the region, the network and the stack key. */
export function platformOutputs(cfg: StackConfig, vpc: Vpc, key: StackKey) {
    return {
        region: cfg.region,
        vpcId: vpc.vpcId,
        publicSubnetIds: vpc.publicSubnetIds,
        privateSubnetIds: vpc.privateSubnetIds,
        isolatedSubnetIds: vpc.isolatedSubnetIds,
        kmsKeyArn: key.arn,
    };
}
