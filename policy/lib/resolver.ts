// Resolves references between the resources of a stack, the way they appear to a policy.
//
// In a real `pulumi preview` of new resources every id and ARN is unknown, so the only reliable
// link from, say, a security-group rule to its group is the engine's `propertyDependencies`
// (property name → the resources whose outputs flowed into it). Where ids are known (an update, or
// the offline plan, whose mock cloud returns ids), values are also matched against each resource's
// id, ARN and name. The two are combined so that a stack policy sees the same graph in both cases.

import { isUnknown, plain } from "./values";

/** The part of @pulumi/policy's PolicyResource this module reads. */
export interface Resource {
    type: string;
    urn: string;
    name: string;
    props: Record<string, any>;
    propertyDependencies?: Record<string, Resource[]>;
    dependencies?: Resource[];
    parent?: Resource;
}

/** What a property refers to. */
export interface Ref<R extends Resource = Resource> {
    /** Resources of the stack that the property refers to. */
    targets: R[];
    /** Known values that match no resource of the stack (for example an existing VPC's group). */
    external: string[];
    /** The value (or part of it) is unknown and no dependency explains it. */
    unresolved: boolean;
}

/** Ids and ARNs known outside `props` (the offline plan's `outputs`); the engine gives none. */
const knownIdentity = new WeakMap<object, { id?: string; arn?: string; name?: string }>();

/** Records the id and ARN of a resource (used by the offline evaluator, which knows its outputs). */
export function recordIdentity(r: object, identity: { id?: string; arn?: string; name?: string }): void {
    knownIdentity.set(r, identity);
}

/** Every known string in a value: a string, an array of strings, or strings nested in objects. */
function knownStrings(value: unknown, out: string[] = []): { values: string[]; unknown: boolean } {
    let unknown = false;
    const walk = (v: unknown) => {
        v = plain(v);
        if (v === undefined || v === null) return;
        if (isUnknown(v)) { unknown = true; return; }
        if (typeof v === "string") { out.push(v); return; }
        if (Array.isArray(v)) { v.forEach(walk); return; }
        if (typeof v === "object") Object.values(v as object).forEach(walk);
    };
    walk(value);
    return { values: out, unknown };
}

export class Graph<R extends Resource = Resource> {
    private readonly byKey = new Map<string, R[]>();
    private readonly byType = new Map<string, R[]>();

    constructor(readonly resources: readonly R[]) {
        for (const r of resources) {
            const list = this.byType.get(r.type) ?? [];
            list.push(r);
            this.byType.set(r.type, list);
            const props = plain(r.props) ?? {};
            const known = knownIdentity.get(r) ?? {};
            // An RDS subnet group is referred to by name, a task definition possibly by family; SGs by id; most others by ARN.
            for (const key of [r.urn, known.id, known.arn, known.name, props.id, props.arn, props.name, props.family]) {
                if (typeof key !== "string" || isUnknown(key) || key === "") continue;
                const at = this.byKey.get(key) ?? [];
                if (!at.includes(r)) at.push(r);
                this.byKey.set(key, at);
            }
        }
    }

    ofType(...types: string[]): R[] {
        return types.flatMap(t => this.byType.get(t) ?? []);
    }

    /**
     * The resources that `r.props[prop]` refers to, restricted to `types`. `value` narrows the
     * lookup to part of the property (for example `networkConfiguration.securityGroups`): known
     * ids are matched exactly; the property's dependencies stand in for what is unknown or
     * unmatched (dependencies are per top-level property, so they may over-approximate a part).
     */
    refs(r: R, prop: string, types: string[], ...part: [value?: unknown]): Ref<R> {
        // An explicit `undefined` part means "that part is absent", not "the whole property".
        const value = part.length > 0 ? part[0] : plain(r.props)?.[prop];
        const { values, unknown } = knownStrings(value);
        const ofTypes = (x: R) => types.length === 0 || types.includes(x.type);
        const targets: R[] = [];
        const unmatched: string[] = [];
        for (const v of values) {
            const hits = (this.byKey.get(v) ?? []).filter(ofTypes);
            if (hits.length === 0) unmatched.push(v);
            for (const h of hits) if (!targets.includes(h)) targets.push(h);
        }
        const deps = ((r.propertyDependencies?.[prop] ?? []) as R[]).filter(ofTypes).filter(d => !targets.includes(d));
        if (unknown || unmatched.length > 0) targets.push(...deps);
        return {
            targets,
            // Unmatched known values are taken to be the dependencies (ids the engine knows but props don't carry).
            external: deps.length > 0 ? [] : unmatched,
            unresolved: unknown && deps.length === 0,
        };
    }

    /** Resources of `types` whose `prop` (or the part `pick` selects) refers to `target`. */
    referrers(target: R, types: string[], prop: string, pick?: (props: any) => unknown): R[] {
        return this.ofType(...types).filter(r => {
            const value = pick ? pick(plain(r.props) ?? {}) : plain(r.props)?.[prop];
            return this.refs(r, prop, [target.type], value).targets.includes(target);
        });
    }
}
