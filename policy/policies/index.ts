import type { Policies } from "@pulumi/policy";
import { edgePolicies } from "./edge";
import { eksPolicies } from "./eks";
import { hygienePolicies } from "./hygiene";
import { iamPolicies } from "./iam";
import { kongPolicies } from "./kong";
import { networkPolicies } from "./network";

/** Every policy of the pack, in reporting order. */
export const policies: Policies = [...networkPolicies, ...edgePolicies, ...kongPolicies, ...eksPolicies, ...iamPolicies, ...hygienePolicies];
