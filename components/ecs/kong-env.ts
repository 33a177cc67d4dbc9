// The ECS renderer of Kong settings: the role's runtime-neutral settings plus how a Kong container
// on ECS listens and logs, with every secret delivered as an ECS `secrets` entry (read by the
// agent when the task starts). The Helm-values renderer for EKS is components/eks/kong-values.ts.

import { unknownKongEnvNames, type KongImage } from "../kong/image";
import { containerListenersAndLogs, envName, type KongSettings, type SecretSource } from "../kong/settings";

/** A Secrets Manager value as ECS reads it: the secret, optionally one JSON key, optionally one version. */
export interface SecretRef {
    secretArn: string;
    jsonKey?: string;
    /** A pinned version: a new one changes the task definition, so ECS rolls the tasks (docs/facts/aws.md §5). */
    versionId?: string;
}

export interface ContainerEnv {
    environment: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
}

/** Where this node's secrets come from on ECS. */
export interface EcsSecretDelivery {
    /** The role's cluster TLS secret, JSON {cert, key, ca} in PEM (see PrivateCa), pinned to its current version. */
    clusterTls: { secretArn: string; versionId?: string };
    /** The Enterprise licence secret: KONG_LICENSE_DATA is not a kong.conf key, and every node needs it (docs/facts/kong-hybrid.md §2, §7). */
    licence?: SecretRef;
}

/**
 * ECS `valueFrom` for a secret, one JSON key of it, and/or one version of it:
 * arn:…:secret:name:<json-key>:<version-stage>:<version-id> (docs/facts/aws.md §5).
 */
export function secretValueFrom(ref: SecretRef): string {
    if (!ref.jsonKey && !ref.versionId) return ref.secretArn;
    return `${ref.secretArn}:${ref.jsonKey ?? ""}::${ref.versionId ?? ""}`;
}

function ecsSecret(source: SecretSource, delivery: EcsSecretDelivery): SecretRef {
    if (source.kind === "clusterTls") return { secretArn: delivery.clusterTls.secretArn, jsonKey: source.field, versionId: delivery.clusterTls.versionId };
    return { secretArn: source.arn, jsonKey: source.jsonKey, versionId: source.versionId };
}

/**
 * ECS container `environment` and `secrets` for the settings, for a node running `kong`. Throws if a
 * setting is not a key of that Kong version: Kong would ignore it silently (docs/facts/kong-hybrid.md §1).
 */
export function toContainerEnv(s: KongSettings, kong: KongImage, delivery: EcsSecretDelivery): ContainerEnv {
    const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
    const plain = { ...containerListenersAndLogs(s.role), ...s.plain };
    const unknown = unknownKongEnvNames([...Object.keys(plain), ...Object.keys(s.secret)].map(envName), kong);
    if (unknown.length > 0) {
        throw new Error(`Kong ${kong.version} (${kong.image}) has no setting ${unknown.join(", ")}; it would ignore it silently`);
    }
    const secrets = Object.entries(s.secret).map(([k, source]) => ({ name: envName(k), valueFrom: secretValueFrom(ecsSecret(source, delivery)) }));
    if (delivery.licence) secrets.push({ name: "KONG_LICENSE_DATA", valueFrom: secretValueFrom(delivery.licence) });
    return {
        environment: Object.entries(plain).map(([k, value]) => ({ name: envName(k), value })).sort(byName),
        secrets: secrets.sort(byName),
    };
}
