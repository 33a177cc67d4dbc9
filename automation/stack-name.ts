// Stack names as the Pulumi CLI reads them. Loads nothing, so a command's usage errors answer at once.

/** A stack name: `dev`, or qualified `org/dev`, `org/project/dev`. */
export const STACK_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;

/** `org/project/dev` → `dev`: the CLI keeps a stack's config in Pulumi.<that>.yaml. */
export const stackFileName = (stackName: string) => stackName.split("/").pop()!;
