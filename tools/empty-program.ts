// The benchmark's baseline: the same offline runtime (ts-node, Pulumi SDK, mock cloud, harness)
// running an empty program, so the plan's ratio to it measures what the program itself costs.
import { runProgram } from "../offline/harness";

void runProgram(() => ({}), { stack: "empty", config: { "aws:region": "eu-west-1" } }).then(run => {
    console.log(`empty program: ${run.resources.length} resource (the stack)`);
});
