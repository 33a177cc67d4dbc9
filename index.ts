// The Pulumi program: load and validate the stack's config, build everything, return the outputs.
import { loadConfig } from "./stacks/config";
import { buildStack } from "./stacks/program";

export = async () => buildStack(loadConfig());
