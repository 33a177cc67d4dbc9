// What an upgrade must not replace: the stateful resource types and, per type, the inputs whose
// change makes the AWS provider replace the resource (ForceNew in
// https://github.com/hashicorp/terraform-provider-aws, e.g. internal/service/rds/cluster.go).
// A resource that moves between components keeps its identity only through `aliases`; a plan that
// drops one of these URNs, or changes one of these inputs, would destroy data on `pulumi up`.

export const STATEFUL: Record<string, readonly string[]> = {
    "aws:rds/cluster:Cluster": ["clusterIdentifier", "clusterIdentifierPrefix", "engine", "engineMode", "databaseName", "masterUsername", "kmsKeyId", "storageEncrypted", "dbSubnetGroupName", "availabilityZones", "snapshotIdentifier"],
    "aws:rds/clusterInstance:ClusterInstance": ["identifier", "identifierPrefix", "clusterIdentifier", "engine", "dbSubnetGroupName", "availabilityZone"],
    "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
    "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
    "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
    "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass"],
    "aws:acmpca/certificateAuthority:CertificateAuthority": ["type", "certificateAuthorityConfiguration", "keyStorageSecurityStandard", "usageMode"],
    // The CA's and the nodes' keys: a new key means new certificates on every node.
    "tls:index/privateKey:PrivateKey": ["algorithm", "rsaBits", "ecdsaCurve"],
    // The admin key: a new value locks out every client holding the old one.
    "random:index/randomPassword:RandomPassword": ["length", "special", "overrideSpecial", "keepers"],
};

/** The part of a `pulumi preview --json` plan this check reads. */
export interface PlanSteps {
    steps: { urn: string; newState?: { type: string; inputs?: Record<string, any>; aliases?: string[] } }[];
}

/** The stateful resources of a plan, with their inputs: what a fixture of a release keeps. */
export function statefulSteps(plan: PlanSteps): PlanSteps {
    return { steps: plan.steps.filter(s => s.newState && STATEFUL[s.newState.type]).map(s => ({ urn: s.urn, newState: { type: s.newState!.type, inputs: s.newState!.inputs ?? {} } })) };
}

/**
 * Problems upgrading from `previous` to `current`: each stateful resource of the previous plan must
 * be found in the current one under its URN or one of its aliases, with the same replace-forcing inputs.
 */
export function upgradeProblems(previous: PlanSteps, current: PlanSteps): string[] {
    const byUrn = new Map<string, PlanSteps["steps"][number]>();
    for (const step of current.steps) {
        for (const urn of [step.urn, ...(step.newState?.aliases ?? [])]) byUrn.set(urn, step);
    }
    const problems: string[] = [];
    for (const old of previous.steps) {
        const type = old.newState?.type ?? "";
        const forcing = STATEFUL[type];
        if (!forcing) continue;
        const now = byUrn.get(old.urn);
        if (!now) {
            problems.push(`${old.urn}: no resource of this version has this URN or an alias to it (it would be deleted)`);
            continue;
        }
        for (const key of forcing) {
            const before = JSON.stringify(old.newState?.inputs?.[key]);
            const after = JSON.stringify(now.newState?.inputs?.[key]);
            if (before !== after) problems.push(`${old.urn}: ${key} changes from ${before} to ${after} (forces replacement)`);
        }
    }
    return problems;
}
